// The retry policy of a channel: attempts, backoff with jitter, retryable codes, and which methods are safe to retry.
import { FramerpcOptionError } from '../../errors';
import { Status } from '../../rpc/status';
import type { MethodDefinition } from '../../service/service-definition';

/** How failed calls of safe methods are tried again. */
export interface RetryPolicyOptions {
  /** Attempts in all, the first included (1 turns retries off). Default 3. */
  maxAttempts?: number;
  /** Upper bound of the delay before the first retry; each delay is random in [0, bound]. Default 100 ms. */
  initialBackoffMs?: number;
  /** Largest bound a delay grows to. Default 2000 ms. */
  maxBackoffMs?: number;
  /** Growth of the bound per retry. Default 2. */
  backoffMultiplier?: number;
  /** Status codes that are retried (for safe methods). Default [UNAVAILABLE]. */
  retryableCodes?: readonly Status[];
  /**
   * Methods to treat as safe besides those the .proto marks `idempotency_level = IDEMPOTENT` or
   * `NO_SIDE_EFFECTS`: full paths ("/pkg.Service/Method"). Default none.
   */
  safeMethods?: readonly string[];
  /** Methods never retried even if the .proto marks them safe (full paths). Default none. */
  unsafeMethods?: readonly string[];
  /** The retry budget (gRPC retry throttling); `false` turns it off. Default { maxTokens: 100, tokenRatio: 0.1 }. */
  throttle?: RetryThrottleOptions | false;
}

/**
 * gRPC's retry throttling: a token count starts at maxTokens, each failed call (a retryable code) takes 1,
 * each success gives back tokenRatio; retries stop while the count is at or below half of maxTokens.
 */
export interface RetryThrottleOptions {
  /** Default 100. */
  maxTokens?: number;
  /** Default 0.1. */
  tokenRatio?: number;
}

export interface ResolvedRetryPolicy {
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly backoffMultiplier: number;
  readonly retryableCodes: ReadonlySet<Status>;
  readonly safeMethods: ReadonlySet<string>;
  readonly unsafeMethods: ReadonlySet<string>;
  readonly throttle: { readonly maxTokens: number; readonly tokenRatio: number } | undefined;
}

export function resolveRetryPolicy(options: RetryPolicyOptions = {}): ResolvedRetryPolicy {
  const resolved = {
    maxAttempts: options.maxAttempts ?? 3,
    initialBackoffMs: options.initialBackoffMs ?? 100,
    maxBackoffMs: options.maxBackoffMs ?? 2000,
    backoffMultiplier: options.backoffMultiplier ?? 2,
    retryableCodes: new Set(options.retryableCodes ?? [Status.UNAVAILABLE]),
    safeMethods: new Set(options.safeMethods ?? []),
    unsafeMethods: new Set(options.unsafeMethods ?? []),
    throttle: options.throttle === false ? undefined : { maxTokens: options.throttle?.maxTokens ?? 100, tokenRatio: options.throttle?.tokenRatio ?? 0.1 },
  };
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1)
    throw new FramerpcOptionError('maxAttempts', `retry option maxAttempts must be an integer >= 1, got ${resolved.maxAttempts}`);
  for (const key of ['initialBackoffMs', 'maxBackoffMs'] as const) {
    if (!(resolved[key] >= 0) || !Number.isFinite(resolved[key])) throw new FramerpcOptionError(key, `retry option ${key} must be a non-negative number of ms, got ${resolved[key]}`);
  }
  if (!(resolved.backoffMultiplier >= 1)) throw new FramerpcOptionError('backoffMultiplier', `retry option backoffMultiplier must be >= 1, got ${resolved.backoffMultiplier}`);
  const throttle = resolved.throttle;
  if (throttle && (!(throttle.maxTokens > 0) || !(throttle.tokenRatio > 0))) {
    throw new FramerpcOptionError('throttle', `retry option throttle needs maxTokens > 0 and tokenRatio > 0, got ${JSON.stringify(throttle)}`);
  }
  return resolved;
}

/** The idempotency level ts-proto's generic definitions put in a method's `options`, if any. */
export function idempotencyLevel(definition: MethodDefinition): string | undefined {
  const options = definition.options as { idempotencyLevel?: unknown } | undefined;
  return typeof options?.idempotencyLevel === 'string' ? options.idempotencyLevel : undefined;
}

/** True when the policy may retry `path` after it may have run: marked safe in the .proto or in the options. */
export function isSafeToRetry(policy: ResolvedRetryPolicy, path: string, definition: MethodDefinition): boolean {
  if (policy.unsafeMethods.has(path)) return false;
  if (policy.safeMethods.has(path)) return true;
  const level = idempotencyLevel(definition);
  return level === 'IDEMPOTENT' || level === 'NO_SIDE_EFFECTS';
}

/** The delay before retry `retry` (1-based): full jitter, random in [0, min(max, initial * multiplier^(retry-1))]. */
export function retryDelayMs(policy: ResolvedRetryPolicy, retry: number, random: () => number = Math.random): number {
  const bound = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * policy.backoffMultiplier ** (retry - 1));
  return Math.round(random() * bound);
}
