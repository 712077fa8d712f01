// The DI entry points as the package root exports them: tsyringe and reflect-metadata load on first use, not on import.
import type { DependencyContainer } from 'tsyringe';
import type { HandlerProblems } from '../service/handler-types';
import type { ServiceDefinition } from '../service/service-definition';
import type { HandlerResolver } from '../service/service-metadata';
import type { RpcServiceOptions } from './rpc-service';

export type { RpcServiceOptions } from './rpc-service';
export { CALL_CONTEXT } from './tokens';

type DiEntry = typeof import('./index');
let entry: DiEntry | undefined;

/** Loads src/di (reflect-metadata first, then tsyringe) once. */
function di(): DiEntry {
  // A lazy require keeps `import 'framerpc'` free of reflect-metadata and tsyringe for code that uses no decorators.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately lazy (see above); an import would load tsyringe with the package
  entry ??= require('./index') as DiEntry;
  return entry;
}

/**
 * Marks a class as the handler of `definition` (a ts-proto `XServiceDefinition`), built by tsyringe with
 * constructor injection; see src/di/rpc-service.ts. Calling it loads reflect-metadata and tsyringe, before
 * TypeScript records the constructor's parameter types, so a decorated file needs no import of its own
 * unless it uses tsyringe's decorators (`@inject`) too: then `import 'reflect-metadata'` first.
 */
export function RpcService<D extends ServiceDefinition, P extends boolean = false>(definition: D, options: RpcServiceOptions<P> = {}) {
  const decorate = di().RpcService<D, P>(definition, options);
  return <C extends new (...args: never[]) => object>(target: C & HandlerProblems<InstanceType<C>, D, P>): C => decorate<C>(target);
}

/** Resolves handler classes from a tsyringe container (default its root container); see src/di/handler-resolver.ts. */
export function tsyringeResolver(container?: DependencyContainer): HandlerResolver {
  return di().tsyringeResolver(container);
}
