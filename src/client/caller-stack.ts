// Gives a call's error the caller's stack. The error is born in a socket callback, whose stack says
// nothing useful; re-stacking it inside the async function the caller awaits lets V8's zero-cost async
// stack traces add the caller's own frames, at no cost to calls that succeed.

/** Replaces `error`'s stack with the current one, async frames included; call it in a catch after an await. */
export function restack<E>(error: E, below: (...args: never[]) => unknown = restack): E {
  if (!(error instanceof Error)) return error;
  const here: { stack?: string } = {};
  Error.captureStackTrace(here, below);
  const stack = here.stack ?? '';
  const newline = stack.indexOf('\n');
  if (newline >= 0) error.stack = `${error.name}: ${error.message}${stack.slice(newline)}`;
  return error;
}

/**
 * The rejection handler of a call's promise: `promise.then(undefined, rethrowRestacked)`. V8 follows a native
 * promise chain to the async function awaiting it, so the stack has the caller's frames as in a catch after
 * an await, for one promise per call instead of an async function's.
 */
export function rethrowRestacked(error: unknown): never {
  throw restack(error, rethrowRestacked);
}
