// The DI edge: builds handler instances with tsyringe. The rest of the framework only sees an InstanceProvider.
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { CallContext } from '../server/call-context';
import type { InstanceProvider } from '../service/method-registry';
import type { HandlerClass, HandlerLifetime } from '../service/service-metadata';
import { checkConstructible } from './constructor-check';
import { CALL_CONTEXT } from './tokens';

/** Turns a handler class into the provider the dispatcher calls for each call. */
export interface HandlerResolver {
  provider(handlerClass: HandlerClass, lifetime: HandlerLifetime): InstanceProvider;
}

/**
 * Resolves handlers from a tsyringe container (default: tsyringe's root container). A singleton is
 * built once, when registered, so a missing dependency fails at start-up; a per-call handler is built
 * for each call in a child container where `CALL_CONTEXT` resolves to the call's CallContext. Either way
 * a constructor whose parameter types are unknown (no `emitDecoratorMetadata`) is refused when registered.
 */
export function tsyringeResolver(container: DependencyContainer = rootContainer): HandlerResolver {
  return {
    provider(handlerClass, lifetime) {
      checkConstructible(handlerClass, container);
      const token = handlerClass as unknown as new (...args: unknown[]) => object;
      if (lifetime === 'singleton') {
        const instance = container.resolve(token);
        return () => instance;
      }
      return (context: CallContext) => {
        const child = container.createChildContainer();
        child.register(CALL_CONTEXT, { useValue: context });
        return child.resolve(token);
      };
    },
  };
}
