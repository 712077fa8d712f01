// Reconnect delays: exponential backoff with jitter, so a fleet of clients does not reconnect in step.
import { clampTimerMs } from './timer-limit';

/** Reconnect policy of a client connection. */
export interface BackoffOptions {
  /** Delay before the first retry. Default 100 ms. */
  initialDelayMs: number;
  /** Upper bound of any delay. Default 10000 ms. */
  maxDelayMs: number;
  /** Growth per failed attempt. Default 2. */
  multiplier: number;
  /** Random spread, as a fraction of the delay (0.2 = ±20%). Default 0.2. */
  jitter: number;
  /** Attempts before giving up (the client then closes). Default Infinity. */
  maxAttempts: number;
}

export function defaultBackoffOptions(): BackoffOptions {
  return { initialDelayMs: 100, maxDelayMs: 10_000, multiplier: 2, jitter: 0.2, maxAttempts: Infinity };
}

/** The delay before retry number `attempt` (1-based). `random` is injectable for tests. */
export function backoffDelay(options: BackoffOptions, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * options.multiplier ** (attempt - 1));
  const spread = base * options.jitter * (random() * 2 - 1);
  return clampTimerMs(Math.min(options.maxDelayMs, Math.round(base + spread)));
}
