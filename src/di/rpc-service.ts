// The @RpcService class decorator: binds a handler class to a generated service definition and makes it injectable.
import { injectable } from 'tsyringe';
import type { ServiceImplementation } from '../service/handler-types';
import type { ServiceDefinition } from '../service/service-definition';
import { bindService, type HandlerLifetime } from '../service/service-metadata';

export interface RpcServiceOptions<P extends boolean = boolean> {
  /** 'singleton' (default): one instance serves every call; 'per-call': a new instance per call. */
  lifetime?: HandlerLifetime;
  /** Implement only some methods; the others answer UNIMPLEMENTED. Default false: every method is required. */
  partial?: P;
}

/** What the class must implement: every method, or with `partial: true` any of them (still with the right types). */
type Implementation<D extends ServiceDefinition, P extends boolean> = P extends true ? Partial<ServiceImplementation<D>> : ServiceImplementation<D>;

/**
 * Marks a class as the handler of `definition` (a ts-proto `XServiceDefinition`), built by tsyringe with
 * constructor injection. The class must implement every method with the types of the definition (unless
 * `partial: true`): a missing or mistyped method is a compile error at this decorator.
 */
export function RpcService<D extends ServiceDefinition, P extends boolean = false>(definition: D, options: RpcServiceOptions<P> = {}) {
  return <C extends new (...args: never[]) => Implementation<D, P>>(target: C): C => {
    injectable()(target as unknown as new (...args: unknown[]) => unknown);
    bindService(target, { definition, lifetime: options.lifetime ?? 'singleton', partial: options.partial === true });
    return target;
  };
}
