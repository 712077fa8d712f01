// Bounds the PONGs a peer can make us queue: PINGs are answered at a capped rate, a flood closes the connection.
import { FrameError } from '../../codec/frame-error';
import { TokenBucket } from '../rate-limiter';
import type { TransportOptions } from '../transport-options';
import { CloseCode } from '../../codec/wire';

/**
 * A PING within `maxPingsPerSecond` (bursts of `pingBurst`) is answered; one beyond it is left unanswered.
 * A peer that sends more than `pingBurst` unanswered PINGs in a row (between two tokens) is flooding, far
 * above the rate, and is closed with TOO_MANY_PINGS, as gRPC's too_many_pings: a peer that pings as fast as
 * its socket drains and never reads cannot grow our outbound queue without bound.
 */
export class PingGuard {
  private readonly bucket: TokenBucket;
  private unanswered = 0;

  constructor(private readonly options: Pick<TransportOptions, 'maxPingsPerSecond' | 'pingBurst'>) {
    this.bucket = new TokenBucket(options.maxPingsPerSecond, options.pingBurst);
  }

  /** True when this PING gets a PONG; throws a FrameError (TOO_MANY_PINGS) on a flood. */
  admit(): boolean {
    if (this.bucket.take()) {
      this.unanswered = 0;
      return true;
    }
    if (++this.unanswered > this.options.pingBurst) {
      const { maxPingsPerSecond, pingBurst } = this.options;
      throw new FrameError(CloseCode.TOO_MANY_PINGS, `too many PINGs: more than maxPingsPerSecond (${maxPingsPerSecond}/s, burst ${pingBurst}), and ${this.unanswered} more beyond it`);
    }
    return false;
  }
}
