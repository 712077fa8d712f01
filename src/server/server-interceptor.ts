// Server middleware: code that runs around every handler (auth from metadata, logging, timing).
import type { CallContext } from './call-context';

/**
 * Wraps a handler. `next()` runs the rest of the chain and the handler; it resolves with the unary
 * response (or undefined for streaming calls, once the stream is done) and rejects with the handler's
 * error. Throw an RpcError to refuse the call.
 */
export type ServerInterceptor = (context: CallContext, next: () => Promise<unknown>) => Promise<unknown>;

/** Runs `handler` inside `interceptors`, first interceptor outermost. */
export function runIntercepted(interceptors: readonly ServerInterceptor[], context: CallContext, handler: () => Promise<unknown>): Promise<unknown> {
  let index = 0;
  const next = (): Promise<unknown> => {
    if (index === interceptors.length) return handler();
    const interceptor = interceptors[index++];
    return interceptor(context, next);
  };
  return next();
}
