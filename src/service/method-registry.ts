// The server's method table: method path -> definition and the function that finds the handler instance.
import type { CallContext } from '../server/call-context';
import { callKindOf, methodPath, type CallKind, type MethodDefinition, type ServiceDefinition } from './service-definition';

/** Returns the object whose methods serve a call (a singleton, or a fresh per-call instance). */
export type InstanceProvider = (context: CallContext) => object;

/** A method the server can dispatch to. */
export interface RegisteredMethod {
  readonly path: string;
  readonly key: string;
  readonly kind: CallKind;
  readonly definition: MethodDefinition;
  readonly service: ServiceDefinition;
  readonly instanceFor: InstanceProvider;
}

/**
 * Runs around a handler method, inside the interceptors: sees the handler's input (a request, or the request
 * stream) and its result (a response or promise of one, or the response stream), so it can observe messages.
 * `invoke` calls the handler (or the next wrapper) with the given input.
 */
export type HandlerWrapper = (method: RegisteredMethod, input: unknown, context: CallContext, invoke: (input: unknown) => unknown) => unknown;

/** Maps method paths to handlers; refuses duplicates and incomplete implementations with what to do. */
export class MethodRegistry {
  private readonly methods = new Map<string, RegisteredMethod>();
  private readonly owners = new Map<string, string>();
  private readonly wrappers: { wrapper: HandlerWrapper; applies: (method: RegisteredMethod) => boolean }[] = [];

  /** Registers every method of `service`; `sample` is an instance used to check each method exists. */
  add(service: ServiceDefinition, owner: string, sample: object | undefined, instanceFor: InstanceProvider): void {
    const existing = this.owners.get(service.fullName);
    if (existing) {
      throw new Error(`service ${service.fullName} is already served by ${existing}; register each service once (remove ${owner} or ${existing})`);
    }
    const missing = sample ? Object.keys(service.methods).filter((key) => typeof (sample as Record<string, unknown>)[key] !== 'function') : [];
    if (missing.length > 0) {
      const list = missing.map((key) => `${key}(${service.methods[key].requestStream ? 'requests' : 'request'}, context)`).join(', ');
      throw new Error(`${owner} does not implement ${service.fullName}: add ${list}`);
    }
    this.owners.set(service.fullName, owner);
    for (const [key, definition] of Object.entries(service.methods)) {
      const path = methodPath(service, definition);
      let method: RegisteredMethod = { path, key, kind: callKindOf(definition), definition, service, instanceFor };
      for (const { wrapper, applies } of this.wrappers) if (applies(method)) method = wrapped(method, wrapper);
      this.methods.set(path, method);
    }
  }

  /**
   * Wraps the handlers `applies` selects (default all), those registered already and those registered later; the
   * last wrapper added runs outermost. A wrapped call costs an object and two closures: select only what needs it.
   */
  wrap(wrapper: HandlerWrapper, applies: (method: RegisteredMethod) => boolean = () => true): void {
    this.wrappers.push({ wrapper, applies });
    for (const [path, method] of this.methods) if (applies(method)) this.methods.set(path, wrapped(method, wrapper));
  }

  get(path: string): RegisteredMethod | undefined {
    return this.methods.get(path);
  }

  /** Every registered service, in registration order. */
  services(): ServiceDefinition[] {
    const services = new Set<ServiceDefinition>();
    for (const method of this.methods.values()) services.add(method.service);
    return [...services];
  }

  /** Every registered method path. */
  paths(): string[] {
    return [...this.methods.keys()];
  }
}

/** `method` with its handler run through `wrapper`: the instance provider returns a one-method stand-in. */
function wrapped(method: RegisteredMethod, wrapper: HandlerWrapper): RegisteredMethod {
  const { key, instanceFor } = method;
  const outer: RegisteredMethod = {
    ...method,
    instanceFor: (context) => {
      const instance = instanceFor(context) as Record<string, (input: unknown, context: CallContext) => unknown>;
      return { [key]: (input: unknown, callContext: CallContext) => wrapper(outer, input, callContext, (next) => instance[key](next, callContext)) };
    },
  };
  return outer;
}
