// An AbortSignal that fires when a deadline passes, timed by the shared deadline queue (so any length works).
import { deadlines, type Expirable } from './deadline-queue';

/** A deadline's signal; `dispose()` once it is no longer needed, so the queue can drop it. */
export interface DeadlineSignal {
  readonly signal: AbortSignal;
  dispose(): void;
}

class DeadlineAbort implements Expirable {
  deadlineAt = 0;
  deadlineSlot = -1;
  done = false;
  readonly controller = new AbortController();

  expire(): void {
    this.done = true;
    // The same reason AbortSignal.timeout() gives.
    this.controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  }
}

/**
 * Like `AbortSignal.timeout(delayMs)`, which fires after 1 ms for delays over 2^31-1 ms (a 30-day call
 * timeout is valid): this one is armed on the deadline queue, which re-arms long delays.
 */
export function deadlineSignal(delayMs: number): DeadlineSignal {
  const entry = new DeadlineAbort();
  deadlines.add(entry, delayMs);
  return {
    signal: entry.controller.signal,
    dispose: () => {
      entry.done = true;
      deadlines.remove(entry);
    },
  };
}
