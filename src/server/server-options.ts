// Options of an RpcServer, with their documented defaults.
import type { FrameServerOptions } from '../transport/frame-server';
import type { RateLimitOptions } from './log-rate-limit';
import { callLogger, ServerLog, type Logger } from './logger';
import type { ServerInterceptor } from './server-interceptor';

export type { Logger } from './logger';

export interface RpcServerOptions extends FrameServerOptions {
  /** Calls in flight per connection; more get RESOURCE_EXHAUSTED and the connection lives on. Default 1024. */
  maxConcurrentCalls?: number;
  /** Largest request message accepted. Default 4 MiB. */
  maxRequestBytes?: number;
  /** Largest response message sent; a bigger one fails the call with RESOURCE_EXHAUSTED. Default 4 MiB. */
  maxResponseBytes?: number;
  /** Run around every handler, first outermost. Default none. */
  interceptors?: ServerInterceptor[];
  /**
   * Receives handler errors that are not RpcErrors (the error object itself, never sent to callers), protocol
   * violations and slow consumers, with structured fields (method, code, peer, connectionId, durationMs).
   * pino, winston and console fit as they are. Default console.
   */
  logger?: Logger;
  /** The rate limit on repeated lines about one peer. Default 5 lines per peer and kind of line per minute. */
  logRateLimit?: RateLimitOptions;
}

export interface ResolvedServerCallOptions {
  readonly maxConcurrentCalls: number;
  readonly maxRequestBytes: number;
  readonly maxResponseBytes: number;
  readonly interceptors: ServerInterceptor[];
  /** What server calls log through: `error(message, error, context)`. */
  readonly logger: Logger;
  /** The structured, rate-limited log behind it. */
  readonly log: ServerLog;
}

export function resolveServerCallOptions(options: RpcServerOptions): ResolvedServerCallOptions {
  const resolved = {
    maxConcurrentCalls: options.maxConcurrentCalls ?? 1024,
    maxRequestBytes: options.maxRequestBytes ?? 4 * 1024 * 1024,
    maxResponseBytes: options.maxResponseBytes ?? 4 * 1024 * 1024,
    interceptors: [...(options.interceptors ?? [])],
    log: new ServerLog(options.logger ?? console, options.logRateLimit),
  };
  for (const key of ['maxConcurrentCalls', 'maxRequestBytes', 'maxResponseBytes'] as const) {
    if (!Number.isInteger(resolved[key]) || resolved[key] <= 0) throw new TypeError(`server option ${key} must be a positive integer, got ${resolved[key]}`);
  }
  return { ...resolved, logger: callLogger(resolved.log) };
}
