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

export function runClientIntercepted(interceptors: readonly ClientInterceptor[], call: ClientCallInfo, start: () => Promise<unknown>): Promise<unknown> {
  let index = 0;
  const next = (): Promise<unknown> => (index === interceptors.length ? start() : interceptors[index++](call, next));
  return next();
}
