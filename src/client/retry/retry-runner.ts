// Runs a unary or server-streaming call as attempts under a retry policy, its deadline spanning them all.
import { RpcError } from '../../rpc/rpc-error';
import { Status } from '../../rpc/status';
import { pinDeadline, type CallOptions } from '../call-options';
import type { PreparedMethod } from '../prepared-method';
import { isSafeToRetry, resolveRetryPolicy, retryDelayMs, type ResolvedRetryPolicy, type RetryPolicyOptions } from './retry-policy';
import { RetryThrottle } from './retry-throttle';

/** Counts of what the runner did, for tests and metrics. */
export interface RetryStats {
  /** Attempts after the first, made. */
  retries: number;
  /** Retries a policy allowed but the budget refused. */
  throttled: number;
}

/**
 * A channel's retries. A failed attempt is tried again when its code is retryable and either the method is
 * safe (see `isSafeToRetry`) or the server proved it never ran the call (`notProcessed`, any method); never
 * beyond maxAttempts, the call's deadline or abort, or the retry budget. A server stream is retried only
 * until its first response message.
 */
export class RetryRunner {
  readonly policy: ResolvedRetryPolicy;
  readonly throttle: RetryThrottle | undefined;
  readonly stats: RetryStats = { retries: 0, throttled: 0 };

  constructor(options?: RetryPolicyOptions) {
    this.policy = resolveRetryPolicy(options);
    const throttle = this.policy.throttle;
    this.throttle = throttle ? new RetryThrottle(throttle.maxTokens, throttle.tokenRatio) : undefined;
  }

  /** A unary call: `attempt` makes one attempt with the options given. */
  async response(method: PreparedMethod, options: CallOptions | undefined, attempt: (options: CallOptions | undefined) => Promise<unknown>): Promise<unknown> {
    const pinned = pinDeadline(options);
    for (let attempts = 1; ; attempts++) {
      try {
        const response = await attempt(pinned);
        this.throttle?.onSuccess();
        return response;
      } catch (error) {
        await this.beforeRetry(method, pinned, error, attempts);
      }
    }
  }

  /** A server-streaming call: started at once (as calls are), retried while no response message came yet. */
  stream(method: PreparedMethod, options: CallOptions | undefined, attempt: (options: CallOptions | undefined) => AsyncIterable<unknown>): AsyncIterable<unknown> {
    const pinned = pinDeadline(options);
    const first = attempt(pinned);
    const runner = this;
    return (async function* responses() {
      let current = first;
      for (let attempts = 1; ; attempts++) {
        let received = false;
        try {
          for await (const message of current) {
            received = true;
            yield message;
          }
          runner.throttle?.onSuccess();
          return;
        } catch (error) {
          if (received) throw error;
          await runner.beforeRetry(method, pinned, error, attempts);
        }
        current = attempt(pinned);
      }
    })();
  }

  /** Resolves after the backoff when `error` may be retried, else throws it. */
  private async beforeRetry(method: PreparedMethod, options: CallOptions | undefined, error: unknown, attempts: number): Promise<void> {
    if (!(error instanceof RpcError)) throw error;
    const policy = this.policy;
    const retryable = policy.retryableCodes.has(error.code) || error.notProcessed;
    if (!retryable) throw error;
    this.throttle?.onFailure();
    if (attempts >= policy.maxAttempts) throw error;
    if (!error.notProcessed && !isSafeToRetry(policy, method.path, method.definition)) throw error;
    if (this.throttle && !this.throttle.allowsRetry) {
      this.stats.throttled++;
      throw error;
    }
    const delay = retryDelayMs(policy, attempts);
    const deadline = options?.deadline === undefined ? undefined : typeof options.deadline === 'number' ? options.deadline : options.deadline.getTime();
    if (deadline !== undefined && Date.now() + delay >= deadline) throw error;
    const signal = options?.signal;
    if (signal?.aborted) throw error;
    if (delay > 0) await sleep(delay, signal, RpcError.forCaller(method.path, Status.CANCELLED, 'the caller aborted the call while it waited to be retried', '', undefined));
    this.stats.retries++;
  }
}

/** Waits `ms`; rejects with `error` if the caller aborts meanwhile. */
function sleep(ms: number, signal: AbortSignal | undefined, error: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
