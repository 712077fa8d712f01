// A rate limit on repeated log lines: a few per key per window, then a count of what was suppressed.
import { FramerpcOptionError } from '../errors';

export interface RateLimitOptions {
  /** Lines let through per key per window. Default 5. */
  linesPerWindow?: number;
  /** The window, in ms. Default 60000. */
  windowMs?: number;
  /** Keys remembered at once (the oldest are forgotten). Default 1000. */
  maxKeys?: number;
}

interface KeyState {
  windowStart: number;
  lines: number;
  suppressed: number;
}

/** Counts lines per key (e.g. a peer's host and the kind of line) in fixed windows. */
export class LogRateLimiter {
  private readonly keys = new Map<string, KeyState>();
  private readonly linesPerWindow: number;
  private readonly windowMs: number;
  private readonly maxKeys: number;

  constructor(
    options: RateLimitOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.linesPerWindow = options.linesPerWindow ?? 5;
    this.windowMs = options.windowMs ?? 60_000;
    this.maxKeys = options.maxKeys ?? 1000;
    for (const key of ['linesPerWindow', 'windowMs', 'maxKeys'] as const) {
      const value = this[key];
      if (!Number.isInteger(value) || value <= 0) throw new FramerpcOptionError(key, `log rate limit option ${key} must be a positive integer, got ${value}`);
    }
  }

  /**
   * False when the line must be dropped; otherwise how many lines of this key were dropped since the last one let
   * through (0 usually), so the line can say so.
   */
  admit(key: string): number | false {
    const now = this.now();
    let state = this.keys.get(key);
    if (!state || now - state.windowStart >= this.windowMs) {
      const suppressed = state?.suppressed ?? 0;
      if (state) this.keys.delete(key); // re-inserted below: the Map's order is recency of windows
      state = { windowStart: now, lines: 0, suppressed: 0 };
      this.keys.set(key, state);
      if (this.keys.size > this.maxKeys) this.keys.delete(this.keys.keys().next().value as string);
      state.lines = 1;
      return suppressed;
    }
    if (state.lines < this.linesPerWindow) {
      state.lines++;
      return 0;
    }
    state.suppressed++;
    return false;
  }
}
