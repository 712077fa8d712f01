// A token bucket: admits events at a steady rate with bursts, to bound what a peer can make us do.
import { FramerpcOptionError } from '../errors';

// One clock for every bucket: a bound function per bucket (one per connection) would cost ~70 bytes each.
const performanceNow = (): number => performance.now();

/**
 * Holds up to `burst` tokens, refilled at `ratePerSecond`; each admitted event takes one. The clock is
 * read once per event (PINGs, cancellations: rare next to data frames), never by a timer.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: () => number = performanceNow,
  ) {
    this.tokens = burst;
    this.refilledAt = now();
  }

  /** Takes a token if there is one: true when the event is within the rate. */
  take(): boolean {
    if (this.ratePerSecond === Infinity) return true; // no limit (and no Infinity x 0 = NaN below)
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) * this.ratePerSecond) / 1000);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }
}

/** Checks a rate option pair (events per second, burst), naming the bad field. */
export function checkRateOption(owner: string, rateKey: string, rate: unknown, burstKey: string, burst: unknown): void {
  if (typeof rate !== 'number' || Number.isNaN(rate) || rate <= 0) {
    throw new FramerpcOptionError(rateKey, `${owner} option ${rateKey} must be a positive number of events per second (Infinity for no limit), got ${String(rate)}`);
  }
  if (typeof burst !== 'number' || !Number.isInteger(burst) || burst < 1) {
    throw new FramerpcOptionError(burstKey, `${owner} option ${burstKey} must be a positive integer, got ${String(burst)}`);
  }
}
