// One timer for every call deadline of the process: a call does not create and clear a Node timer each.
import { clampTimerMs } from '../transport/timer-limit';

/** A call with a deadline: the queue calls `expire()` once `deadlineAt` passes, unless it is `done` by then. */
export interface Expirable {
  /** When the deadline passes, in `Date.now()` milliseconds. */
  deadlineAt: number;
  /** True once the call ended; the queue then drops it without calling expire(). */
  readonly done: boolean;
  expire(): void;
}

/**
 * A min-heap of calls by deadline with one Node timer armed for the earliest. Ending a call costs
 * nothing here (it is skipped when it surfaces); the heap drops ended calls whenever it has doubled since
 * it last did, so it holds at most about twice the calls in flight.
 */
export class DeadlineQueue {
  private readonly heap: Expirable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private compactAt = 1024;
  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    this.run();
  };

  /** Calls `call.expire()` after `delayMs`, unless the call is done by then. */
  add(call: Expirable, delayMs: number): void {
    call.deadlineAt = Date.now() + delayMs;
    if (this.heap.length >= this.compactAt) this.compact();
    this.push(call);
    if (call.deadlineAt < this.timerAt) this.arm(call.deadlineAt);
  }

  /** Calls held (in flight or ended but not yet dropped). */
  get size(): number {
    return this.heap.length;
  }

  private run(): void {
    const now = Date.now();
    const heap = this.heap;
    while (heap.length > 0 && (heap[0].done || heap[0].deadlineAt <= now)) {
      const call = this.pop();
      if (!call.done) call.expire();
    }
    if (heap.length > 0) this.arm(heap[0].deadlineAt);
  }

  private arm(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    // Clamped: a deadline beyond 2^31-1 ms (valid on the wire) wakes the queue early, finds nothing due, re-arms.
    this.timer = setTimeout(this.onTimer, clampTimerMs(at - Date.now()));
    this.timer.unref();
  }

  private compact(): void {
    const live = this.heap.filter((call) => !call.done);
    this.heap.length = 0;
    for (const call of live) this.push(call);
    this.compactAt = Math.max(1024, live.length * 2);
  }

  private push(call: Expirable): void {
    const heap = this.heap;
    let i = heap.push(call) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].deadlineAt <= call.deadlineAt) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = call;
  }

  private pop(): Expirable {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop() as Expirable;
    if (heap.length > 0) {
      let i = 0;
      const n = heap.length;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && heap[right].deadlineAt < heap[left].deadlineAt ? right : left;
        if (heap[child].deadlineAt >= last.deadlineAt) break;
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}

/** The process's deadline queue, shared by clients and servers. */
export const deadlines = new DeadlineQueue();
