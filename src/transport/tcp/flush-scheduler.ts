// One flush per event-loop pass for every connection written to in it: merge-then-send across callbacks.

/** A queue that has bytes waiting for the end of the pass. */
export interface ScheduledFlush {
  flushScheduled(): void;
}

let pending: ScheduledFlush[] = [];
let spare: ScheduledFlush[] = [];
let armed = false;

/**
 * Flushes `queue` once, after the I/O callbacks of the current event-loop pass (setImmediate). A
 * microtask would flush at the end of each callback instead: a server reading one message per 'data'
 * callback and pushing it to M connections would then make M writes per message rather than M per pass,
 * however many messages the pass handled.
 */
export function scheduleFlush(queue: ScheduledFlush): void {
  pending.push(queue);
  if (!armed) {
    armed = true;
    setImmediate(runFlushes);
  }
}

function runFlushes(): void {
  armed = false;
  const batch = pending;
  pending = spare;
  spare = batch;
  for (let i = 0; i < batch.length; i++) batch[i].flushScheduled();
  batch.length = 0;
}
