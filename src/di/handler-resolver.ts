// The DI edge: builds handler instances with tsyringe. The rest of the framework only sees a HandlerResolver.
import 'reflect-metadata'; // tsyringe needs the Reflect metadata API before it loads
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { CallContext } from '../service/call-context';
import type { HandlerResolver } from '../service/service-metadata';
import { checkConstructible } from './constructor-check';
import { CALL_CONTEXT } from './tokens';

export type { HandlerResolver } from '../service/service-metadata';

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
