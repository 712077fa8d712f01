// The @RpcService class decorator: binds a handler class to a generated service definition and makes it injectable.
import 'reflect-metadata'; // tsyringe needs the Reflect metadata API before it loads
import { injectable } from 'tsyringe';
import type { HandlerProblems } from '../service/handler-types';
import type { ServiceDefinition } from '../service/service-definition';
import { bindService, type HandlerLifetime, type HandlerResolver } from '../service/service-metadata';
import { tsyringeResolver } from './handler-resolver';

export interface RpcServiceOptions<P extends boolean = boolean> {
  /** 'singleton' (default): one instance serves every call; 'per-call': a new instance per call. */
  lifetime?: HandlerLifetime;
  /** Implement only some methods; the others answer UNIMPLEMENTED. Default false: every method is required. */
  partial?: P;
}

/** The resolver of every decorated class: tsyringe's root container (a server's `resolver` option overrides it). */
let rootResolver: HandlerResolver | undefined;

/**
 * Marks a class as the handler of `definition` (a ts-proto `XServiceDefinition`), built by tsyringe with
 * constructor injection. The class must implement every method with the types of the definition (unless
 * `partial: true`): a missing or mistyped method is a compile error at this decorator, naming the method
 * (`... is not assignable to parameter of type '"missing method: fail"'`).
 */
export function RpcService<D extends ServiceDefinition, P extends boolean = false>(definition: D, options: RpcServiceOptions<P> = {}) {
  // The check is an intersection, not a bound on C, so a wrong class fails with the names of its problems.
  return <C extends new (...args: never[]) => object>(target: C & HandlerProblems<InstanceType<C>, D, P>): C => {
    injectable()(target as unknown as new (...args: unknown[]) => unknown);
    rootResolver ??= tsyringeResolver();
    bindService(target, { definition, lifetime: options.lifetime ?? 'singleton', partial: options.partial === true, resolver: rootResolver });
    return target;
  };
}
