// The @RpcService class decorator: binds a handler class to a generated service definition and makes it injectable.
import { injectable } from 'tsyringe';
import type { ServiceImplementation } from '../service/handler-types';
import type { ServiceDefinition } from '../service/service-definition';
import { bindService, type HandlerLifetime } from '../service/service-metadata';

export interface RpcServiceOptions {
  /** 'singleton' (default): one instance serves every call; 'per-call': a new instance per call. */
  lifetime?: HandlerLifetime;
}

/**
 * Marks a class as the handler of `definition` (a ts-proto `XServiceDefinition`), built by tsyringe with
 * constructor injection. The class must implement every method with the types of the definition: a
 * missing or mistyped method is a compile error at this decorator.
 */
export function RpcService<D extends ServiceDefinition>(definition: D, options: RpcServiceOptions = {}) {
  return <C extends new (...args: never[]) => ServiceImplementation<D>>(target: C): C => {
    injectable()(target as unknown as new (...args: unknown[]) => unknown);
    bindService(target, { definition, lifetime: options.lifetime ?? 'singleton' });
    return target;
  };
}
