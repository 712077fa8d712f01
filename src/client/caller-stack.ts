// Captures where a call was made, so an error that arrives later from the socket points at the caller.

/** A captured stack; formatted only if the call fails. */
export interface CallerStack {
  stack?: string;
}

/** Captures the stack above `above` (V8 formats it lazily, so an unused capture is cheap). */
export function captureCallerStack(above: Function): CallerStack {
  const holder: CallerStack = {};
  Error.captureStackTrace(holder, above);
  return holder;
}

/** The frames of a captured stack, without its first line. */
export function callerFrames(holder: CallerStack | undefined): string | undefined {
  const stack = holder?.stack;
  if (!stack) return undefined;
  const newline = stack.indexOf('\n');
  return newline < 0 ? undefined : stack.slice(newline + 1);
}
