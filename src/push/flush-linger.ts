// How long the hub holds pushes before flushing: flushDelayMs when quiet, longer as fan-out grows, bounded.

/** The linger policy's settings, from PushHubOptions. */
export interface FlushLingerSettings {
  /** The linger of a quiet hub (PushHubOptions.flushDelayMs). */
  readonly baseMs: number;
  /** The longest linger under load (PushHubOptions.maxFlushDelayMs, never below baseMs). */
  readonly maxMs: number;
  /** Socket writes per millisecond (over all connections) the hub aims to stay under (PushHubOptions.flushWritesPerMs). */
  readonly writesPerMs: number;
}

/**
 * @internal Adapts the push linger to the fan-out: each flush costs one socket write per connection it
 * flushes, so a round that flushed W connections is followed, while pushes keep coming, by a round held
 * W / writesPerMs ms (between baseMs and maxMs). Writes per second then stop growing with the fan-out
 * (several broadcasts leave in one write per connection) until maxMs bounds the latency. A round that
 * starts more than maxMs after the last flush (the hub was quiet) is held baseMs: a lone push keeps its
 * low latency.
 */
export class FlushLinger {
  private lastWrites = 0;
  private lastFlushAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly settings: FlushLingerSettings) {}

  /** How long to hold the round that starts at `now` (ms, any monotonic clock). */
  delayMs(now: number): number {
    const { baseMs, maxMs, writesPerMs } = this.settings;
    if (now - this.lastFlushAt > maxMs) return baseMs; // quiet: no extra linger
    return Math.min(maxMs, Math.max(baseMs, this.lastWrites / writesPerMs));
  }

  /** The round flushed `writes` connections at `now`. */
  flushed(writes: number, now: number): void {
    this.lastWrites = writes;
    this.lastFlushAt = now;
  }
}
