// Deadline and cancellation propagation: a call made while serving another inherits its deadline and abort.
import type { CallOptions, ParentCall } from './call-options';

export type { ParentCall } from './call-options';

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
