// What the @RpcService decorator records on a handler class, kept apart from the DI container.
import type { InstanceProvider } from './method-registry';
import type { ServiceDefinition } from './service-definition';

/** How long a handler instance lives: one for the server's life, or a fresh one per call. */
export type HandlerLifetime = 'singleton' | 'per-call';

/** A class that can be constructed (by the DI container). */
export type HandlerClass = abstract new (...args: never[]) => object;

/** Turns a handler class into the provider the dispatcher calls for each call (src/di has the tsyringe one). */
export interface HandlerResolver {
  provider(handlerClass: HandlerClass, lifetime: HandlerLifetime): InstanceProvider;
}

export interface ServiceBinding {
  readonly definition: ServiceDefinition;
  readonly lifetime: HandlerLifetime;
  /** The class implements only some methods; the others answer UNIMPLEMENTED. */
  readonly partial: boolean;
  /** Builds the class when the server has no `resolver` of its own: the decorator's container. */
  readonly resolver: HandlerResolver;
}

const bindings = new WeakMap<HandlerClass, ServiceBinding>();
const decorated: HandlerClass[] = [];

/** Records that `handlerClass` serves `binding.definition`. */
export function bindService(handlerClass: HandlerClass, binding: ServiceBinding): void {
  if (!bindings.has(handlerClass)) decorated.push(handlerClass);
  bindings.set(handlerClass, binding);
}

/** The binding of a decorated class, or undefined. */
export function serviceBindingOf(handlerClass: HandlerClass): ServiceBinding | undefined {
  return bindings.get(handlerClass);
}

/** Every class decorated so far, in declaration order (for `server.addAllDecorated()`). */
export function decoratedHandlerClasses(): readonly HandlerClass[] {
  return decorated;
}
