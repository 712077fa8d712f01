// The one error type callers see: a status code, a message and optional details, as they crossed the wire.
import type { Metadata } from './metadata';
import { Status, statusName } from './status';

export interface RpcErrorOptions {
  /** Machine-readable details sent to the caller unchanged (e.g. JSON). */
  details?: string;
  /** Trailers sent with the status. */
  metadata?: Metadata;
  cause?: unknown;
}

/**
 * Thrown by handlers to answer a call with a status, and received by callers when a call fails.
 * On the caller's side `method` names the call and the stack includes the caller's own frames.
 */
export class RpcError extends Error {
  override readonly name = 'RpcError';
  /** The status message as the handler wrote it, without the caller's `<method> failed with <CODE>: ` prefix. */
  readonly rawMessage: string;
  /** The status details (machine-readable, e.g. JSON) as sent; empty when there were none. */
  readonly details: string;
  readonly metadata: Metadata | undefined;
  /** The full method path ("/pkg.Service/Method") on the caller's side; empty on the server. */
  method = '';
  /**
   * True when the server proved it never ran the call (its GOAWAY's last accepted call id is below it):
   * safe to retry, whatever the method does. Always with UNAVAILABLE.
   */
  notProcessed = false;

  constructor(
    readonly code: Status,
    message: string,
    options: RpcErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.rawMessage = message;
    this.details = options.details ?? '';
    this.metadata = options.metadata;
  }

  /** The code's name, e.g. "NOT_FOUND". */
  get codeName(): string {
    return statusName(this.code);
  }

  /** The error a caller receives: its message names the method and code; `rawMessage` and `details` are as sent. */
  static forCaller(method: string, code: Status, message: string, details: string, metadata: Metadata | undefined): RpcError {
    const error = new RpcError(code, `${method} failed with ${statusName(code)}: ${message}`, { details, metadata });
    (error as { rawMessage: string }).rawMessage = message;
    error.method = method;
    return error;
  }
}

export { Status };
