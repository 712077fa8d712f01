// Client middleware: code that runs around every call (add auth metadata, log, time, retry).
import type { Metadata } from '../rpc/metadata';
import type { CallKind } from '../service/service-definition';

/** What an interceptor sees of a call; `metadata` may be changed before `next()`. */
export interface ClientCallInfo {
  readonly method: string;
  readonly kind: CallKind;
  readonly metadata: Metadata;
}

/**
 * Wraps a call. `next()` starts it and resolves when it ends: with the response for unary and
 * client-streaming calls, undefined for server-streaming and bidi calls. Throwing fails the call.
 */
export type ClientInterceptor = (call: ClientCallInfo, next: () => Promise<unknown>) => Promise<unknown>;

/**
 * Runs `start` inside `interceptors`, first outermost. Each interceptor gets its own `next`, bound to its
 * place in the chain, so one that calls `next()` again (a retry) runs the interceptors inside it again.
 */
export function runClientIntercepted(interceptors: readonly ClientInterceptor[], call: ClientCallInfo, start: () => Promise<unknown>): Promise<unknown> {
  const nextFrom = (index: number): (() => Promise<unknown>) => (index === interceptors.length ? start : () => interceptors[index](call, nextFrom(index + 1)));
  return nextFrom(0)();
}
