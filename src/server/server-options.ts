// Options of an RpcServer, with their documented defaults.
import type { FrameServerOptions } from '../transport/default-transport';
import { MemoryBudget } from '../transport/memory-budget';
import { checkRateOption } from '../transport/rate-limiter';
import type { RateLimitOptions } from './log-rate-limit';
import { callLogger, ServerLog, type Logger } from './logger';
import type { ServerInterceptor } from './server-interceptor';
import { FramerpcOptionError } from '../errors';

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
  /**
   * Calls a client may open and cancel per second on one connection (a token bucket with `cancelBurst`);
   * a client far above it (rapid reset) is disconnected with RAPID_RESET. Infinity turns the limit off.
   * Default 1000.
   */
  maxCancelsPerSecond?: number;
  /** Cancellations allowed at once above `maxCancelsPerSecond` (above maxConcurrentCalls: all calls may be cancelled together). Default 2000. */
  cancelBurst?: number;
  /**
   * Calls in flight on this server across all its connections (beside the per-connection
   * `maxConcurrentCalls`); more get RESOURCE_EXHAUSTED. Default 4096.
   */
  maxConcurrentHandlers?: number;
  /**
   * Bytes that calls may hold across all connections (requests received and not finished, stream
   * messages not yet consumed, replies waiting for a client's window). Past it the server grants no peer
   * more credit: they wait, and calls waiting for their request longer than `memoryWaitMs` are refused
   * with RESOURCE_EXHAUSTED. Default 256 MiB. A process normally runs one server; each server has its own.
   */
  maxHeldBytes?: number;
  /** How long a call may wait for its request while the server's memory holds it back. Default 2000 ms. */
  memoryWaitMs?: number;
  /** The rate limit on repeated lines about one peer. Default 5 lines per peer and kind of line per minute. */
  logRateLimit?: RateLimitOptions;
}

/** Calls running on one server, across its connections. */
export interface HandlerCount {
  active: number;
}

export interface ResolvedServerCallOptions {
  readonly maxConcurrentCalls: number;
  readonly maxRequestBytes: number;
  readonly maxResponseBytes: number;
  readonly interceptors: ServerInterceptor[];
  /** What server calls log through: `error(message, error, context)`. */
  readonly logger: Logger;
  readonly maxConcurrentHandlers: number;
  readonly memoryWaitMs: number;
  readonly memoryBudget: MemoryBudget;
  readonly handlers: HandlerCount;
  readonly maxCancelsPerSecond: number;
  readonly cancelBurst: number;
  /** The structured, rate-limited log behind it. */
  readonly log: ServerLog;
}

export function resolveServerCallOptions(options: RpcServerOptions): ResolvedServerCallOptions {
  const numbers = {
    maxConcurrentCalls: options.maxConcurrentCalls ?? 1024,
    maxRequestBytes: options.maxRequestBytes ?? 4 * 1024 * 1024,
    maxResponseBytes: options.maxResponseBytes ?? 4 * 1024 * 1024,
    maxConcurrentHandlers: options.maxConcurrentHandlers ?? 4096,
    maxHeldBytes: options.maxHeldBytes ?? 256 * 1024 * 1024,
    memoryWaitMs: options.memoryWaitMs ?? 2000,
  };
  for (const [key, value] of Object.entries(numbers)) {
    if (!Number.isInteger(value) || value <= 0) throw new FramerpcOptionError(key, `server option ${key} must be a positive integer, got ${value}`);
  }
  const resolved = {
    ...numbers,
    interceptors: [...(options.interceptors ?? [])],
    log: new ServerLog(options.logger ?? console, options.logRateLimit),
    memoryBudget: new MemoryBudget(numbers.maxHeldBytes),
    handlers: { active: 0 },
    maxCancelsPerSecond: options.maxCancelsPerSecond ?? 1000,
    cancelBurst: options.cancelBurst ?? 2000,
  };
  checkRateOption('server', 'maxCancelsPerSecond', resolved.maxCancelsPerSecond, 'cancelBurst', resolved.cancelBurst);
  return { ...resolved, logger: callLogger(resolved.log) };
}
