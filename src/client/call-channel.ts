// What the typed client needs of a channel: its options, a connection to call on, and (optionally) a retry policy.
import type { ResolvedChannelOptions } from './channel-options';
import type { StreamMessageObserver } from './channel';
import type { Multiplexer } from './multiplexer';
import type { RetryRunner } from './retry/retry-runner';

/**
 * A channel `createClient` can make calls on: the single-endpoint `Channel` and the `BalancedChannel`
 * over many endpoints both are one.
 */
export interface CallChannel {
  readonly options: ResolvedChannelOptions;
  /** @internal Observers of stream messages (instrumentation). */
  readonly streamObservers: StreamMessageObserver[];
  /** @internal Retries of failed calls of safe methods; undefined: none beyond the resend of never-run calls. */
  readonly retry?: RetryRunner;
  /** @internal A connection that accepts calls now (the balancer picks one), or undefined. */
  readyMultiplexer(): Multiplexer | undefined;
  /** @internal Waits for a connection that accepts calls, as `Channel.multiplexer` describes. */
  multiplexer(waitForReady: boolean, signal: AbortSignal | undefined): Promise<Multiplexer>;
}
