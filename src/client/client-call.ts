// The caller's side of one call: settles its promise or feeds its response stream, handles deadline and abort.
import { FrameFlag, FrameKind, MAX_UNGRANTED_BYTES } from '../codec/wire';
import type { CallStatus } from '../rpc/call-status';
import { ReceiveWindow, SendWindow } from '../rpc/flow-control';
import { deadlines } from '../rpc/deadline-queue';
import { MessageAssembler, TOO_LARGE, wholeMessage } from '../rpc/message-assembler';
import { MessageQueue } from '../rpc/message-queue';
import type { Metadata } from '../rpc/metadata';
import { readMetadata } from '../rpc/metadata-wire';
import { RpcError } from '../rpc/rpc-error';
import { Status } from '../rpc/status';
import type { CallOptions } from './call-options';
import type { MultiplexedCall } from './multiplexed-call';
import type { Multiplexer } from './multiplexer';
import type { PreparedMethod } from './prepared-method';

/** One call in flight on a multiplexer. */
export class ClientCall implements MultiplexedCall {
  id = 0;
  done = false;
  /** Streaming responses, for server-streaming and bidi calls. */
  readonly responses: MessageQueue<unknown> | undefined;
  /** Credit for streaming requests, for client-streaming and bidi calls. */
  readonly sendWindow: SendWindow | undefined;
  private readonly receiveWindow: ReceiveWindow | undefined;
  private pendingMessage: Buffer | undefined;
  /** Made on the first fragment (MORE): most messages come whole. */
  private assembler: MessageAssembler | undefined;
  /** Response bytes received and not yet released to the connection window. */
  private held = 0;
  /**
   * Set by the call runner for calls it can send again: called (once) instead of failing when the
   * server proves it never ran this call; with what it needs to send it again (fields, not an object: no
   * allocation per call).
   */
  resend: ((call: ClientCall) => void) | undefined;
  resendChannel: unknown;
  resendInput: unknown;
  resendMetadata: Metadata | undefined;
  /** @internal Expirable: when the deadline passes (set by the deadline queue). */
  deadlineAt = 0;
  /** @internal Expirable: its place in the deadline queue. */
  deadlineSlot = -1;
  private timeoutMs = 0;
  private abortListener: (() => void) | undefined;

  constructor(
    readonly mux: Multiplexer,
    readonly method: PreparedMethod,
    readonly options: CallOptions | undefined,
    /** @internal Settles the caller's promise (a resent call settles the original's). */
    readonly settle: (value: unknown) => void,
    readonly settleError: (error: RpcError) => void,
    /** A resent server-streaming call feeds the stream its caller is already reading. */
    responses?: MessageQueue<unknown>,
  ) {
    const connection = mux.connection;
    if (method.definition.responseStream) {
      this.receiveWindow = new ReceiveWindow(connection.streamWindowBytes, MAX_UNGRANTED_BYTES);
      const onConsume = (bytes: number): void => this.onConsumed(bytes);
      const onAbandon = (): void => this.cancel(Status.CANCELLED, 'the caller stopped reading the response stream');
      if (responses) responses.attach(onConsume, onAbandon);
      this.responses = responses ?? new MessageQueue<unknown>(onConsume, onAbandon);
    }
    if (method.definition.requestStream) this.sendWindow = new SendWindow(connection.peerStreamWindow);
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

  /** A response MESSAGE frame (a fragment when `flags` has MORE); its bytes are already counted as received. */
  onMessage(payload: Buffer, flags: number): void {
    if (this.done) {
      this.mux.connection.flow.release(payload.length);
      return;
    }
    this.held += payload.length;
    const more = (flags & FrameFlag.MORE) !== 0;
    const streaming = this.responses !== undefined && this.receiveWindow !== undefined;
    if (streaming && this.assembler?.inProgress !== true) {
      if (!this.receiveWindow!.startMessage()) {
        this.cancel(Status.RESOURCE_EXHAUSTED, 'flow control: the server started a message with no stream credit left');
        return;
      }
    }
    this.receiveWindow?.received(payload.length);
    const limit = this.mux.options.maxResponseBytes;
    if (more) this.assembler ??= new MessageAssembler();
    const whole = this.assembler ? this.assembler.add(payload, more, limit) : wholeMessage(payload, limit);
    if (whole === undefined) return;
    if (whole === TOO_LARGE) {
      this.cancel(Status.RESOURCE_EXHAUSTED, `response exceeds maxResponseBytes (${limit})`);
      return;
    }
    if (!streaming) {
      if (this.pendingMessage) {
        this.cancel(Status.INTERNAL, 'the server sent a second response message on a single-response call');
        return;
      }
      this.pendingMessage = whole;
      return;
    }
    const decoded = this.decode(whole);
    if (decoded !== FAILED) this.responses!.push(decoded, whole.length);
  }

  onWindow(bytes: number): void {
    this.sendWindow?.grant(bytes);
  }

  /** The server's GOAWAY says it never ran this call: send it again once if the runner can, else fail so. */
  notProcessed(reason: string): void {
    if (this.done) return;
    const resend = this.resend;
    if (resend) {
      this.resend = undefined;
      this.finish();
      resend(this);
      return;
    }
    this.fail(Status.UNAVAILABLE, `the server did not process the call (${reason}); it is safe to retry`, '', undefined, true);
  }

  onStatus(status: CallStatus): void {
    if (this.done) {
      if (status.message) this.mux.connection.flow.release(status.message.length);
      return;
    }
    // A response inside the STATUS counts as held until the call ends (a streamed one: until consumed).
    if (status.message && !(this.responses && status.code === Status.OK)) this.held += status.message.length;
    if (status.trailers.size > 0) this.options?.onTrailers?.(status.trailers);
    if (status.code !== Status.OK) {
      this.fail(status.code, status.text, status.details, status.trailers);
      return;
    }
    if (this.responses) {
      if (status.message) this.onMessage(status.message, 0);
      this.finish();
      this.responses.end();
      this.settle(undefined);
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
    this.settle(decoded);
  }

  /** @internal Expirable: the deadline passed. */
  expire(): void {
    this.cancel(Status.DEADLINE_EXCEEDED, `deadline of ${this.timeoutMs} ms exceeded`);
  }

  /** The common unary reply: OK with a response (`payload` from `offset` on) and no trailers. */
  onOkMessage(payload: Buffer, offset: number): void {
    const length = payload.length - offset;
    if (this.done) {
      this.mux.connection.flow.release(length);
      return;
    }
    if (this.responses) {
      this.onMessage(payload.subarray(offset), 0);
      this.finish();
      this.responses.end();
      this.settle(undefined);
      return;
    }
    this.held += length;
    const decoded = this.decode(payload, offset);
    if (decoded === FAILED) return;
    this.finish();
    this.settle(decoded);
  }

  /** Ends the call locally with `code` and tells the server to stop. */
  cancel(code: Status, text: string): void {
    if (this.done) return;
    const connection = this.mux.connection;
    connection.scheduler.drop(this.id);
    connection.send(FrameKind.CANCEL, 0, this.id, EMPTY);
    this.fail(code, text, '', undefined);
  }

  /** Ends the call with an error, without telling the server (it ended, or the connection is gone). */
  fail(code: Status, text: string, details = '', trailers?: RpcError['metadata'], notProcessed = false): void {
    if (this.done) return;
    this.finish();
    const error = RpcError.forCaller(this.method.path, code, text, details, trailers);
    error.notProcessed = notProcessed;
    this.responses?.fail(error);
    this.settleError(error);
  }

  /** Decodes the response at `offset` of `payload` (to its end). */
  private decode(payload: Buffer, offset = 0): unknown {
    const limit = this.mux.options.maxResponseBytes;
    const length = payload.length - offset;
    if (length > limit) {
      this.cancel(Status.RESOURCE_EXHAUSTED, `response of ${length} bytes exceeds maxResponseBytes (${limit})`);
      return FAILED;
    }
    try {
      return this.method.decodeResponse(payload, offset, length);
    } catch (error) {
      this.cancel(Status.INTERNAL, `response is not valid protobuf: ${(error as Error).message}`);
      return FAILED;
    }
  }

  private onConsumed(bytes: number): void {
    if (this.done) return; // finish() released everything still held
    this.held -= bytes;
    const connection = this.mux.connection;
    connection.flow.release(bytes);
    const grant = this.receiveWindow?.consumed(bytes) ?? 0;
    if (grant > 0 && !this.done) connection.sendWindow(this.id, grant);
  }

  private finish(): void {
    this.done = true;
    if (this.deadlineAt > 0) deadlines.remove(this);
    if (this.abortListener) this.options?.signal?.removeEventListener('abort', this.abortListener);
    this.sendWindow?.release();
    this.assembler?.clear();
    const connection = this.mux.connection;
    // Nothing more goes out on an ended call: a request still queued (the server answered early) is dropped.
    connection.scheduler.drop(this.id);
    if (this.held > 0) {
      connection.flow.release(this.held);
      this.held = 0;
    }
    this.mux.remove(this);
  }
}

const EMPTY = Buffer.alloc(0);
const FAILED = Symbol('failed');
