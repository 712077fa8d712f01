// Reconnect delays: exponential growth, the cap, and jitter bounds.
import { backoffDelay, defaultBackoffOptions, type BackoffOptions } from '../../src/transport';

const options: BackoffOptions = { initialDelayMs: 100, maxDelayMs: 5000, multiplier: 2, jitter: 0.2, maxAttempts: Infinity };
const middle = (): number => 0.5; // random() = 0.5 means no jitter

describe('backoffDelay', () => {
  it('has the documented defaults', () => {
    expect(defaultBackoffOptions()).toEqual({ initialDelayMs: 100, maxDelayMs: 10_000, multiplier: 2, jitter: 0.2, maxAttempts: Infinity });
    expect(defaultBackoffOptions()).not.toBe(defaultBackoffOptions());
  });

  it('grows exponentially from initialDelayMs', () => {
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(options, attempt, middle))).toEqual([100, 200, 400, 800, 1600, 3200]);
    expect(backoffDelay({ ...options, multiplier: 3 }, 3, middle)).toBe(900);
  });

  it('is capped at maxDelayMs, however many attempts, jitter included', () => {
    expect(backoffDelay(options, 7, middle)).toBe(5000);
    expect(backoffDelay(options, 1000, middle)).toBe(5000);
    expect(backoffDelay(options, 1000, () => 0.999999)).toBe(5000);
    expect(backoffDelay(options, 1000, () => 0)).toBe(4000);
  });

  it('stays within ±jitter of the base delay', () => {
    for (let attempt = 1; attempt <= 6; attempt++) {
      const base = Math.min(options.maxDelayMs, 100 * 2 ** (attempt - 1));
      expect(backoffDelay(options, attempt, () => 0)).toBe(Math.round(base * 0.8));
      for (let i = 0; i < 200; i++) {
        const delay = backoffDelay(options, attempt);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
        expect(delay).toBeLessThanOrEqual(Math.ceil(base * 1.2));
      }
    }
    expect(backoffDelay(options, 2, () => 0.999999)).toBe(240);
  });

  it('spreads delays (a fleet does not retry in step) and never goes negative', () => {
    const delays = new Set(Array.from({ length: 100 }, () => backoffDelay(options, 3)));
    expect(delays.size).toBeGreaterThan(10);
    expect(backoffDelay({ ...options, jitter: 1 }, 1, () => 0)).toBe(0);
    expect(backoffDelay({ ...options, jitter: 0 }, 2)).toBe(200);
  });
});
