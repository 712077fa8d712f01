// Rapid reset: opening a call and cancelling it at once is cheap for a client and not for us; bound the rate.
import { FrameError } from '../codec/frame-error';
import { TokenBucket } from '../transport/rate-limiter';
import { CloseCode } from '../codec/wire';
import type { ResolvedServerCallOptions } from './server-options';

/**
 * Counts CALL+CANCEL pairs (a CANCEL of a call in flight) on one connection. Within `maxCancelsPerSecond`
 * (bursts of `cancelBurst`) nothing happens; beyond it the client is opening and cancelling calls far above
 * any normal use (HTTP/2's rapid reset attack) and the connection closes with RAPID_RESET.
 */
export class CancelGuard {
  private readonly bucket: TokenBucket;

  constructor(private readonly options: Pick<ResolvedServerCallOptions, 'maxCancelsPerSecond' | 'cancelBurst'>) {
    this.bucket = new TokenBucket(options.maxCancelsPerSecond, options.cancelBurst);
  }

  /** Counts one cancellation; throws a FrameError (RAPID_RESET, closing the connection) beyond the rate. */
  count(): void {
    if (this.bucket.take()) return;
    const { maxCancelsPerSecond, cancelBurst } = this.options;
    throw new FrameError(CloseCode.RAPID_RESET, `calls opened and cancelled too fast: more than maxCancelsPerSecond (${maxCancelsPerSecond}/s, burst ${cancelBurst})`);
  }
}
