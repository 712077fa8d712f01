// Deadline and cancellation propagation: a call made while serving another inherits its deadline and abort.
import type { CallOptions } from './call-options';

/**
 * The incoming call an outgoing one is made for: a handler's `CallContext` is one. Pass it as
 * `{ parent: context }`; the call then ends no later than the parent's deadline and is cancelled with it.
 */
export interface ParentCall {
  /** The parent's deadline, ms since epoch, or undefined without one. */
  readonly deadline: number | undefined;
  /** Fires when the parent call is cancelled, times out or loses its connection. */
  readonly signal: AbortSignal;
}

/** `options` with the parent's deadline (the earlier one wins) and signal folded in; as is without a parent. */
export function inheritParent(options: CallOptions | undefined): CallOptions | undefined {
  const parent = options?.parent;
  if (!parent) return options;
  const own = options.deadline === undefined ? undefined : typeof options.deadline === 'number' ? options.deadline : options.deadline.getTime();
  const inherited = parent.deadline;
  const deadline = own === undefined ? inherited : inherited === undefined ? own : Math.min(own, inherited);
  const signal = options.signal ? AbortSignal.any([options.signal, parent.signal]) : parent.signal;
  return { ...options, parent: undefined, deadline, signal };
}
