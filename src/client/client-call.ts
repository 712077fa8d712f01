// The caller's side of one call: settles its promise or feeds its response stream, handles deadline and abort.
import { FrameKind } from '../transport/wire';
import type { CallStatus } from '../rpc/call-status';
import { ReceiveWindow, SendWindow, sendWindowGrant } from '../rpc/flow-control';
import { deadlines } from '../rpc/deadline-queue';
import { MessageQueue } from '../rpc/message-queue';
import { readMetadata } from '../rpc/metadata';
import { RpcError } from '../rpc/rpc-error';
import { Status } from '../rpc/status';
import type { CallOptions } from './call-options';
import type { Multiplexer } from './multiplexer';
import type { PreparedMethod } from './prepared-method';

/** One call in flight on a multiplexer. */
export class ClientCall {
  id = 0;
  done = false;
  /** Streaming responses, for server-streaming and bidi calls. */
  readonly responses: MessageQueue<unknown> | undefined;
  /** Credit for streaming requests, for client-streaming and bidi calls. */
  readonly sendWindow: SendWindow | undefined;
  private readonly receiveWindow: ReceiveWindow | undefined;
  private pendingMessage: Buffer | undefined;
  /** @internal Expirable: when the deadline passes (set by the deadline queue). */
  deadlineAt = 0;
  private timeoutMs = 0;
  private abortListener: (() => void) | undefined;

  constructor(
    readonly mux: Multiplexer,
    readonly method: PreparedMethod,
    private readonly options: CallOptions | undefined,
    private readonly resolve: (value: unknown) => void,
    private readonly reject: (error: RpcError) => void,
  ) {
    if (method.definition.responseStream) {
      this.receiveWindow = new ReceiveWindow();
      this.responses = new MessageQueue<unknown>(() => this.onConsumed(), () => this.cancel(Status.CANCELLED, 'the caller stopped reading the response stream'));
    }
    if (method.definition.requestStream) this.sendWindow = new SendWindow();
  }

  /** Arms the deadline and the abort signal; call after the CALL frame was sent. */
  arm(timeoutMs: number): void {
    if (timeoutMs > 0) {
      this.timeoutMs = timeoutMs;
      deadlines.add(this, timeoutMs);
    }
    const signal = this.options?.signal;
    if (signal) {
      if (signal.aborted) {
        this.cancel(Status.CANCELLED, 'the caller aborted the call');
        return;
      }
      this.abortListener = () => this.cancel(Status.CANCELLED, 'the caller aborted the call');
      signal.addEventListener('abort', this.abortListener, { once: true });
    }
  }

  onHeaders(payload: Buffer): void {
    const onHeaders = this.options?.onHeaders;
    if (!onHeaders) return;
    try {
      onHeaders(readMetadata(payload, 0, payload.length).metadata);
    } catch (error) {
      this.cancel(Status.INTERNAL, `malformed response headers: ${(error as Error).message}`);
    }
  }

  onMessage(payload: Buffer): void {
    if (this.done) return;
    if (!this.responses || !this.receiveWindow) {
      this.pendingMessage = payload;
      return;
    }
    if (!this.receiveWindow.receive()) {
      this.cancel(Status.RESOURCE_EXHAUSTED, 'flow control: the server sent more messages than the window allows');
      return;
    }
    const decoded = this.decode(payload);
    if (decoded !== FAILED) this.responses.push(decoded);
  }

  onWindow(messages: number): void {
    this.sendWindow?.grant(messages);
  }

  onStatus(status: CallStatus): void {
    if (this.done) return;
    if (status.trailers.size > 0) this.options?.onTrailers?.(status.trailers);
    if (status.code !== Status.OK) {
      this.fail(status.code, status.text, status.details, status.trailers);
      return;
    }
    if (this.responses) {
      if (status.message) this.onMessage(status.message);
      this.finish();
      this.responses.end();
      this.resolve(undefined);
      return;
    }
    const message = status.message ?? this.pendingMessage;
    if (!message) {
      this.fail(Status.INTERNAL, 'the server ended the call with OK but sent no response');
      return;
    }
    const decoded = this.decode(message);
    if (decoded === FAILED) return;
    this.finish();
    this.resolve(decoded);
  }

  /** @internal Expirable: the deadline passed. */
  expire(): void {
    this.cancel(Status.DEADLINE_EXCEEDED, `deadline of ${this.timeoutMs} ms exceeded`);
  }

  /** The common unary reply: OK with a response and no trailers. */
  onOkMessage(message: Buffer): void {
    if (this.done) return;
    if (this.responses) {
      this.onMessage(message);
      this.finish();
      this.responses.end();
      this.resolve(undefined);
      return;
    }
    const decoded = this.decode(message);
    if (decoded === FAILED) return;
    this.finish();
    this.resolve(decoded);
  }

  /** Ends the call locally with `code` and tells the server to stop. */
  cancel(code: Status, text: string): void {
    if (this.done) return;
    this.mux.connection.send(FrameKind.CANCEL, 0, this.id, EMPTY);
    this.fail(code, text, '', undefined);
  }

  /** Ends the call with an error, without telling the server (it ended, or the connection is gone). */
  fail(code: Status, text: string, details = '', trailers?: RpcError['metadata']): void {
    if (this.done) return;
    this.finish();
    const error = RpcError.forCaller(this.method.path, code, text, details, trailers);
    this.responses?.fail(error);
    this.reject(error);
  }

  private decode(payload: Buffer): unknown {
    const limit = this.mux.options.maxResponseBytes;
    if (payload.length > limit) {
      this.cancel(Status.RESOURCE_EXHAUSTED, `response of ${payload.length} bytes exceeds maxResponseBytes (${limit})`);
      return FAILED;
    }
    try {
      return this.method.definition.responseType.decode(payload);
    } catch (error) {
      this.cancel(Status.INTERNAL, `response is not valid protobuf: ${(error as Error).message}`);
      return FAILED;
    }
  }

  private onConsumed(): void {
    const grant = this.receiveWindow?.consume() ?? 0;
    if (grant > 0 && !this.done) sendWindowGrant(this.mux.connection, this.id, grant);
  }

  private finish(): void {
    this.done = true;
    if (this.abortListener) this.options?.signal?.removeEventListener('abort', this.abortListener);
    this.sendWindow?.release();
    this.mux.remove(this);
  }
}

const EMPTY = Buffer.alloc(0);
const FAILED = Symbol('failed');
