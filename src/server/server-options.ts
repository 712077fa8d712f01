// Options of an RpcServer, with their documented defaults.
import type { FrameServerOptions } from '../transport/frame-server';
import { checkRateOption } from '../transport/rate-limiter';
import type { ServerInterceptor } from './server-interceptor';

/** Where the server reports errors it does not send to callers (handler crashes). */
export interface Logger {
  error(message: string, error?: unknown): void;
  warn(message: string, error?: unknown): void;
}

export interface RpcServerOptions extends FrameServerOptions {
  /** Calls in flight per connection; more get RESOURCE_EXHAUSTED and the connection lives on. Default 1024. */
  maxConcurrentCalls?: number;
  /** Largest request message accepted. Default 4 MiB. */
  maxRequestBytes?: number;
  /** Largest response message sent; a bigger one fails the call with RESOURCE_EXHAUSTED. Default 4 MiB. */
  maxResponseBytes?: number;
  /** Run around every handler, first outermost. Default none. */
  interceptors?: ServerInterceptor[];
  /** Receives handler errors that are not RpcErrors (in full, never sent to callers). Default console. */
  logger?: Logger;
  /**
   * Calls a client may open and cancel per second on one connection (a token bucket with `cancelBurst`);
   * a client far above it (rapid reset) is disconnected with RAPID_RESET. Infinity turns the limit off.
   * Default 1000.
   */
  maxCancelsPerSecond?: number;
  /** Cancellations allowed at once above `maxCancelsPerSecond` (above maxConcurrentCalls: all calls may be cancelled together). Default 2000. */
  cancelBurst?: number;
}

export interface ResolvedServerCallOptions {
  readonly maxConcurrentCalls: number;
  readonly maxRequestBytes: number;
  readonly maxResponseBytes: number;
  readonly interceptors: ServerInterceptor[];
  readonly logger: Logger;
  readonly maxCancelsPerSecond: number;
  readonly cancelBurst: number;
}

export const consoleLogger: Logger = {
  error: (message, error) => console.error(message, error ?? ''),
  warn: (message, error) => console.warn(message, error ?? ''),
};

export function resolveServerCallOptions(options: RpcServerOptions): ResolvedServerCallOptions {
  const resolved = {
    maxConcurrentCalls: options.maxConcurrentCalls ?? 1024,
    maxRequestBytes: options.maxRequestBytes ?? 4 * 1024 * 1024,
    maxResponseBytes: options.maxResponseBytes ?? 4 * 1024 * 1024,
    interceptors: [...(options.interceptors ?? [])],
    logger: options.logger ?? consoleLogger,
    maxCancelsPerSecond: options.maxCancelsPerSecond ?? 1000,
    cancelBurst: options.cancelBurst ?? 2000,
  };
  checkRateOption('server', 'maxCancelsPerSecond', resolved.maxCancelsPerSecond, 'cancelBurst', resolved.cancelBurst);
  for (const key of ['maxConcurrentCalls', 'maxRequestBytes', 'maxResponseBytes'] as const) {
    if (!Number.isInteger(resolved[key]) || resolved[key] <= 0) throw new TypeError(`server option ${key} must be a positive integer, got ${resolved[key]}`);
  }
  return resolved;
}
