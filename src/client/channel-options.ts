// Options of a Channel (the client's connection to one server), with their documented defaults.
import type { FrameClientOptions } from '../transport/default-transport';
import type { FrameDialerFactory } from '../transport/frame-transport';
import type { ClientInterceptor } from './client-interceptor';
import { FramerpcOptionError } from '../errors';

export interface ChannelOptions extends FrameClientOptions {
  /**
   * Calls made while reconnecting, or during a first connect that fails, wait for the connection (bounded
   * by their deadline) instead of failing with UNAVAILABLE. Default false (fail fast, as grpc-js).
   */
  waitForReady?: boolean;
  /** Largest request message sent; a bigger one fails with RESOURCE_EXHAUSTED before sending. Default 4 MiB. */
  maxRequestBytes?: number;
  /** Largest response message accepted. Default 4 MiB. */
  maxResponseBytes?: number;
  /** Run around every call made on this channel, first outermost. Default none. */
  interceptors?: ClientInterceptor[];
  /** Attach the caller's stack to call errors (costs a stack capture per call). Default true. */
  captureCallerStack?: boolean;
  /**
   * A call the server proves it never ran (above its GOAWAY's last accepted id) is sent again once, on a
   * new connection; without a deadline it waits at most this long for that connection. Default 5000 ms.
   */
  retryWaitMs?: number;
  /** Makes the transport the channel connects with (an in-memory network's `dialer` in tests, say). Default TCP, or TLS with `tls`. */
  dialer?: FrameDialerFactory<FrameClientOptions>;
}

export interface ResolvedChannelOptions {
  readonly waitForReady: boolean;
  readonly maxRequestBytes: number;
  readonly maxResponseBytes: number;
  readonly interceptors: ClientInterceptor[];
  readonly captureCallerStack: boolean;
  readonly retryWaitMs: number;
}

export function resolveChannelOptions(options: ChannelOptions): ResolvedChannelOptions {
  const resolved = {
    waitForReady: options.waitForReady ?? false,
    maxRequestBytes: options.maxRequestBytes ?? 4 * 1024 * 1024,
    maxResponseBytes: options.maxResponseBytes ?? 4 * 1024 * 1024,
    interceptors: [...(options.interceptors ?? [])],
    captureCallerStack: options.captureCallerStack ?? true,
    retryWaitMs: options.retryWaitMs ?? 5000,
  };
  for (const key of ['maxRequestBytes', 'maxResponseBytes', 'retryWaitMs'] as const) {
    if (!Number.isInteger(resolved[key]) || resolved[key] <= 0) throw new FramerpcOptionError(key, `channel option ${key} must be a positive integer, got ${resolved[key]}`);
  }
  return resolved;
}
