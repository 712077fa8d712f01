// What a handler knows about its call: metadata, deadline, cancellation, peer; and how it answers headers.
import { Metadata } from '../rpc/metadata';
import { ErrorCode, FramerpcError } from '../errors';

/** The call a handler is serving. Created per call; `signal` and `trailers` are created on first use. */
export class CallContext {
  private controller: AbortController | undefined;
  private abortReason: unknown;
  private trailerMetadata: Metadata | undefined;
  /**
   * Compress the response messages sent from now on: true compresses each (whatever its size) when the
   * client accepted compression, false never does; set it before each `yield` to choose per message.
   * Default undefined: the server's rule (`sendCompression`, `compressMinBytes`).
   */
  compressResponse: boolean | undefined = undefined;
  /** @internal set by the dispatcher: sends HEADERS before the first response. */
  headerSink: { sendHeaders(metadata: Metadata): void } | undefined;
  constructor(
    /** The method path, "/echo.v1.EchoService/Echo". */
    readonly method: string,
    /** The caller's metadata. */
    readonly metadata: Metadata,
    /** When the call's deadline passes (ms since epoch), or undefined without a deadline. */
    readonly deadline: number | undefined,
    /** The caller's address, "127.0.0.1:53211". */
    readonly peer: string,
    /** The server-assigned id of the connection the call came on. */
    readonly connectionId: number,
    /**
     * When the call arrived (performance.now() ms), for durations in log lines and metrics: the time its
     * bytes were read (one clock read per received chunk, not per call). Default now.
     */
    readonly startedAt: number = performance.now(),
  ) {}

  /** Fires when the call is cancelled, its deadline passes or its connection drops. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortReason !== undefined) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  /** Milliseconds left before the deadline (Infinity without one). */
  get remainingMs(): number {
    return this.deadline === undefined ? Infinity : Math.max(0, this.deadline - Date.now());
  }

  /** True once the call was cancelled, timed out or lost its connection. */
  get aborted(): boolean {
    return this.abortReason !== undefined;
  }

  /** Trailers sent with the final status. */
  get trailers(): Metadata {
    this.trailerMetadata ??= new Metadata();
    return this.trailerMetadata;
  }

  /** @internal */
  get trailersIfAny(): Metadata | undefined {
    return this.trailerMetadata;
  }

  /** Sends response headers now (before the first response message); at most once. */
  sendHeaders(metadata: Metadata): void {
    const sink = this.headerSink;
    if (!sink) throw new FramerpcError(ErrorCode.HEADERS_ALREADY_SENT, 'response headers were already sent for this call');
    this.headerSink = undefined;
    sink.sendHeaders(metadata);
  }

  /** @internal */
  abort(reason: unknown): void {
    if (this.abortReason !== undefined) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
  }
}
