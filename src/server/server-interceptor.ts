// Server middleware: code that runs around every handler (auth from metadata, logging, timing).
import type { CallContext } from '../service/call-context';

/**
 * Wraps a handler. `next()` runs the rest of the chain and the handler; it resolves with the unary
 * response (or undefined for streaming calls, once the stream is done) and rejects with the handler's
 * error. Throw an RpcError to refuse the call.
 */
export type ServerInterceptor = (context: CallContext, next: () => Promise<unknown>) => Promise<unknown>;

/**
 * Runs `handler` inside `interceptors`, first interceptor outermost. Each interceptor gets its own `next`,
 * bound to its place in the chain, so one that calls `next()` again runs the inner ones (and the handler) again.
 */
export function runIntercepted(interceptors: readonly ServerInterceptor[], context: CallContext, handler: () => Promise<unknown>): Promise<unknown> {
  // One interceptor (the common case) needs no chain: its `next` is the handler itself.
  if (interceptors.length === 1) return interceptors[0](context, handler);
  const nextFrom = (index: number): (() => Promise<unknown>) => (index === interceptors.length ? handler : () => interceptors[index](context, nextFrom(index + 1)));
  return nextFrom(0)();
}
