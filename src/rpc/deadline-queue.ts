// One timer for every call deadline of the process: a call does not create and clear a Node timer each.
import { clampTimerMs } from '../transport/timer-limit';

/** A call with a deadline: the queue calls `expire()` once `deadlineAt` passes, unless it is `done` by then. */
export interface Expirable {
  /** When the deadline passes, in `Date.now()` milliseconds. */
  deadlineAt: number;
  /** True once the call ended; the queue then drops it without calling expire(). */
  readonly done: boolean;
  /** Its place in the queue (set by the queue; -1 when not in it), for `remove`. Declare it (= -1) so the queue does not add it. */
  deadlineSlot?: number;
  expire(): void;
}

/**
 * A min-heap of calls by deadline with one Node timer armed for the earliest. A call that ends takes
 * itself out (`remove`), so the heap holds only calls in flight and no ended call stays reachable from it
 * (kept, they would outlive young-generation GCs and be promoted); one that does not is skipped when it
 * surfaces, and the heap drops such calls whenever it has doubled since it last did.
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

  /** Takes `call` out (it ended before its deadline); nothing if it is not queued. */
  remove(call: Expirable): void {
    const slot = call.deadlineSlot ?? -1;
    const heap = this.heap;
    if (slot < 0 || heap[slot] !== call) return;
    call.deadlineSlot = -1;
    const last = heap.pop() as Expirable;
    if (slot === heap.length) return; // it was the last
    this.place(last, slot);
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
    for (const call of this.heap) if (call.done) call.deadlineSlot = -1;
    this.heap.length = 0;
    for (const call of live) this.push(call);
    this.compactAt = Math.max(1024, live.length * 2);
  }

  private push(call: Expirable): void {
    this.siftUp(call, this.heap.push(call) - 1);
  }

  private pop(): Expirable {
    const heap = this.heap;
    const top = heap[0];
    top.deadlineSlot = -1;
    const last = heap.pop() as Expirable;
    if (heap.length > 0) this.siftDown(last, 0);
    return top;
  }

  /** Puts `call` at `slot` (a hole left by a removed call) and restores the heap order. */
  private place(call: Expirable, slot: number): void {
    if (slot > 0 && this.heap[(slot - 1) >> 1].deadlineAt > call.deadlineAt) this.siftUp(call, slot);
    else this.siftDown(call, slot);
  }

  private siftUp(call: Expirable, from: number): void {
    const heap = this.heap;
    let i = from;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].deadlineAt <= call.deadlineAt) break;
      heap[i] = heap[parent];
      heap[i].deadlineSlot = i;
      i = parent;
    }
    heap[i] = call;
    call.deadlineSlot = i;
  }

  private siftDown(call: Expirable, from: number): void {
    const heap = this.heap;
    const n = heap.length;
    let i = from;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && heap[right].deadlineAt < heap[left].deadlineAt ? right : left;
      if (heap[child].deadlineAt >= call.deadlineAt) break;
      heap[i] = heap[child];
      heap[i].deadlineSlot = i;
      i = child;
    }
    heap[i] = call;
    call.deadlineSlot = i;
  }
}

/** The process's deadline queue, shared by clients and servers. */
export const deadlines = new DeadlineQueue();
