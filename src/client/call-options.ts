// Per-call options of a typed client method, and how they resolve to a timeout and metadata.
import { Metadata, type MetadataValue } from '../rpc/metadata';
import { RpcError } from '../rpc/rpc-error';
import { Status } from '../rpc/status';

/** Options of one call. */
export interface CallOptions {
  /** Time the call may take, in ms; sent to the server, which sees the remaining time. Default none. */
  timeoutMs?: number;
  /** Absolute deadline (Date or ms since epoch); the earlier of this and timeoutMs applies. */
  deadline?: Date | number;
  /** Aborting it cancels the call: the caller gets CANCELLED at once and the server's handler signal fires. */
  signal?: AbortSignal;
  /** Metadata sent to the handler. */
  metadata?: Metadata | Record<string, MetadataValue | MetadataValue[]>;
  /**
   * While the channel is reconnecting, or when its first connect fails: wait for a connection (bounded by
   * the deadline) instead of failing with UNAVAILABLE. Default: the channel's.
   */
  waitForReady?: boolean;
  /** Called with the response headers, when the server sends them. */
  onHeaders?: (headers: Metadata) => void;
  /** Called with the trailers that came with the final status. */
  onTrailers?: (trailers: Metadata) => void;
  /**
   * Compress the request messages: true compresses each (whatever its size) when the server accepted
   * compression in the handshake, false never does; a function chooses per message of a request stream
   * (index 0 first). Default: the channel's rule (`sendCompression`, `compressMinBytes`).
   */
  compress?: boolean | ((messageIndex: number) => boolean);
  /**
   * The incoming call this one is made for (a handler's `CallContext`): this call inherits its remaining
   * deadline (the earlier of the two applies) and is cancelled when it is. Default none.
   */
  parent?: ParentCall;
}

/** The compression choice for request message `index` of a call (undefined: the connection's rule). */
export function requestCompression(options: CallOptions | undefined, index: number): boolean | undefined {
  const compress = options?.compress;
  return typeof compress === 'function' ? compress(index) : compress;
}

/**
 * Why a call with these options must not be sent, or undefined when it may: a `timeoutMs` that is negative
 * or not a number (which would otherwise mean "no deadline") or a `deadline` that is not a valid time is
 * INVALID_ARGUMENT; a deadline already past is DEADLINE_EXCEEDED. Checked before any frame is sent.
 */
export function callOptionsError(options: CallOptions | undefined): RpcError | undefined {
  if (!options) return undefined;
  const { timeoutMs, deadline, compress } = options;
  if (compress !== undefined && typeof compress !== 'boolean' && typeof compress !== 'function') {
    return new RpcError(Status.INVALID_ARGUMENT, `call option compress must be a boolean or a function of the message index, got ${String(compress)}`);
  }
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || Number.isNaN(timeoutMs) || timeoutMs < 0)) {
    return new RpcError(Status.INVALID_ARGUMENT, `call option timeoutMs must be a non-negative number of ms (0 or undefined for none), got ${String(timeoutMs)}`);
  }
  if (deadline === undefined) return undefined;
  const at = typeof deadline === 'number' ? deadline : deadline instanceof Date ? deadline.getTime() : Number.NaN;
  if (Number.isNaN(at)) return new RpcError(Status.INVALID_ARGUMENT, `call option deadline must be a Date or ms since the epoch, got ${String(deadline)}`);
  const late = Date.now() - at;
  if (late >= 0) return new RpcError(Status.DEADLINE_EXCEEDED, `the deadline passed ${late} ms before the call was made; nothing was sent`);
  return undefined;
}

/** The timeout to send: the smaller of timeoutMs and the time left to deadline; 0 = none. */
export function effectiveTimeoutMs(options: CallOptions | undefined): number {
  if (!options) return 0;
  let timeout = options.timeoutMs ?? 0;
  if (options.deadline !== undefined) {
    const at = typeof options.deadline === 'number' ? options.deadline : options.deadline.getTime();
    const left = Math.max(1, at - Date.now());
    timeout = timeout > 0 ? Math.min(timeout, left) : left;
  }
  return timeout;
}

/**
 * Pins a relative `timeoutMs` to an absolute deadline now, so time spent waiting (for a connection) counts
 * against it rather than restarting it when the call is finally sent.
 */
export function pinDeadline(options: CallOptions | undefined): CallOptions | undefined {
  if (!options?.timeoutMs || options.timeoutMs <= 0) return options;
  const at = Date.now() + options.timeoutMs;
  const given = options.deadline === undefined ? Infinity : typeof options.deadline === 'number' ? options.deadline : options.deadline.getTime();
  return { ...options, deadline: Math.min(at, given) };
}

export function toMetadata(value: CallOptions['metadata']): Metadata | undefined {
  if (!value) return undefined;
  return value instanceof Metadata ? value : new Metadata(value);
}

/**
 * The incoming call an outgoing one is made for: a handler's `CallContext` is one. Pass it as
 * `{ parent: context }`; the call then ends no later than the parent's deadline and is cancelled with it.
 */
export interface ParentCall {
  /** The parent's deadline, ms since epoch, or undefined without one. */
  readonly deadline: number | undefined;
  /** Fires when the parent call is cancelled, times out or loses its connection. */
  readonly signal: AbortSignal;
}
