// One call being served: runs the handler, streams its messages under flow control, sends the final status.
import type { FrameTransport as FrameConnection } from '../transport/frame-transport';
import { FrameFlag, FrameKind, MAX_UNGRANTED_BYTES } from '../codec/wire';
import { encodeCallStatus, OK_WITH_MESSAGE_PREFIX, writeOkWithMessage } from '../rpc/call-status';
import { deadlines } from '../rpc/deadline-queue';
import { encodeMessageView } from '../rpc/message-encoder';
import { SendWindow, ReceiveWindow } from '../rpc/flow-control';
import { MessageAssembler, TOO_LARGE, wholeMessage } from '../rpc/message-assembler';
import { MessageQueue } from '../rpc/message-queue';
import { Metadata } from '../rpc/metadata';
import { metadataByteLength, writeMetadata } from '../rpc/metadata-wire';
import { RpcError } from '../rpc/rpc-error';
import { Status } from '../rpc/status';
import type { RegisteredMethod } from '../service/method-registry';
import type { CallContext } from '../service/call-context';
import { runIntercepted } from './server-interceptor';
import type { ResolvedServerCallOptions } from './server-options';
import { mergeTrailers } from './status-trailers';
import { memoryWaitRefusal, responseLimitError } from './response-limits';

const UNKNOWN_ERROR_TEXT = 'Unknown server error occurred';

/**
 * Server side of one call; the dispatcher routes its frames here. Request bytes it received count as held
 * on the connection's window until released: a stream message when the handler takes it, a single request
 * when the call ends (the handler holds it until then).
 */
export class ServerCall {
  done = false;
  private input: MessageQueue<unknown> | undefined;
  private receiveWindow: ReceiveWindow | undefined;
  private sendWindow: SendWindow | undefined;
  /** Made on the first fragment (MORE): most messages come whole. */
  private assembler: MessageAssembler | undefined;
  /** Request bytes received and not yet released to the connection window. */
  private held = 0;
  /** A single-request call whose request is still arriving in MESSAGE frames. */
  private awaitingRequest = false;
  /** Ended, and its status waits in the scheduler behind its messages. */
  private replyPending = false;
  private memoryTimer: NodeJS.Timeout | undefined;
  /** @internal Expirable: when the deadline passes (set by the deadline queue). */
  deadlineAt = 0;
  /** @internal Expirable: its place in the deadline queue. */
  deadlineSlot = -1;
  private timeoutMs = 0;

  constructor(
    readonly id: number,
    readonly method: RegisteredMethod,
    readonly context: CallContext,
    private readonly connection: FrameConnection,
    private readonly options: ResolvedServerCallOptions,
    private readonly onDone: (call: ServerCall) => void,
    timeoutMs: number,
  ) {
    context.headerSink = this;
    if (timeoutMs > 0) {
      this.timeoutMs = timeoutMs;
      deadlines.add(this, timeoutMs);
    }
  }

  /**
   * Starts the handler. `request` is the decoded request for unary and server-streaming calls (of
   * `requestBytes` on the wire, held until the call ends).
   */
  start(request: unknown, requestBytes: number, firstMessage: Buffer | undefined, inputEnded: boolean): void {
    const kind = this.method.kind;
    if (kind === 'unary' || kind === 'server-streaming') {
      this.held += requestBytes;
      this.run(request);
      return;
    }
    this.receiveWindow = new ReceiveWindow(this.connection.streamWindowBytes, MAX_UNGRANTED_BYTES);
    this.input = new MessageQueue<unknown>(
      (bytes) => this.onConsumed(bytes),
      () => undefined,
    );
    if (firstMessage) {
      this.held += firstMessage.length;
      this.onMessage(firstMessage, 0);
    }
    if (inputEnded) this.input.end();
    this.run(this.input);
  }

  /**
   * A single-request call whose request follows in MESSAGE frames. It waits for the request; while the
   * server holds the connection's whole window for other calls (or its memory budget is spent), it waits
   * at most `memoryWaitMs`, then is refused with RESOURCE_EXHAUSTED.
   */
  awaitRequest(): void {
    this.awaitingRequest = true;
    this.armMemoryWait();
  }

  /** A request MESSAGE frame (one fragment of a message when `flags` has MORE); its bytes are already counted as received. */
  onMessage(payload: Buffer, flags: number): void {
    if (this.done) {
      this.connection.flow.release(payload.length);
      return;
    }
    this.held += payload.length;
    const more = (flags & FrameFlag.MORE) !== 0;
    if (this.awaitingRequest) {
      this.onRequestFragment(payload, more);
      return;
    }
    if (!this.input || !this.receiveWindow) {
      this.fail(new RpcError(Status.INVALID_ARGUMENT, `${this.method.path} takes one request message, and a second one arrived`));
      return;
    }
    if (this.assembler?.inProgress !== true && !this.receiveWindow.startMessage()) {
      this.fail(new RpcError(Status.RESOURCE_EXHAUSTED, 'flow control: a request message started with no stream credit left'));
      return;
    }
    this.receiveWindow.received(payload.length);
    if (more) this.assembler ??= new MessageAssembler();
    const whole = this.assembler ? this.assembler.add(payload, more, this.options.maxRequestBytes) : wholeMessage(payload, this.options.maxRequestBytes);
    if (whole === undefined) return;
    if (whole === TOO_LARGE) {
      this.fail(new RpcError(Status.RESOURCE_EXHAUSTED, `request message exceeds maxRequestBytes (${this.options.maxRequestBytes})`));
      return;
    }
    const message = this.decodeRequest(whole);
    if (message === FAILED) return;
    this.input.push(message, whole.length);
  }

  /** The caller sends no more messages. */
  onHalfClose(): void {
    if (this.awaitingRequest && !this.done) {
      this.fail(new RpcError(Status.INVALID_ARGUMENT, `${this.method.path} needs one request message, and the caller half-closed without it`));
      return;
    }
    this.input?.end();
  }

  private onRequestFragment(payload: Buffer, more: boolean): void {
    if (more) this.assembler ??= new MessageAssembler();
    const whole = this.assembler ? this.assembler.add(payload, more, this.options.maxRequestBytes) : wholeMessage(payload, this.options.maxRequestBytes);
    if (whole === undefined) return;
    this.awaitingRequest = false;
    clearTimeout(this.memoryTimer);
    if (whole === TOO_LARGE) {
      this.fail(new RpcError(Status.RESOURCE_EXHAUSTED, `request exceeds maxRequestBytes (${this.options.maxRequestBytes})`));
      return;
    }
    const request = this.decodeRequest(whole);
    if (request === FAILED) return;
    this.run(request);
  }

  private decodeRequest(bytes: Buffer): unknown {
    try {
      return this.method.decodeRequest(bytes, 0, bytes.length);
    } catch (error) {
      this.fail(new RpcError(Status.INVALID_ARGUMENT, `request for ${this.method.path} is not valid protobuf: ${(error as Error).message}`));
      return FAILED;
    }
  }

  private armMemoryWait(): void {
    this.memoryTimer = setTimeout(() => {
      if (this.done || !this.awaitingRequest) return;
      const refused = this.assembler?.inProgress === true ? undefined : memoryWaitRefusal(this.connection.flow, this.options.memoryBudget);
      if (refused) {
        this.fail(refused);
        return;
      }
      this.armMemoryWait();
    }, this.options.memoryWaitMs).unref();
  }

  /** The caller cancelled: the handler's signal fires, nothing more is sent. */
  cancel(): void {
    if (this.done) {
      // Ended, its reply still waiting for the client's window: the client no longer wants it.
      if (this.replyPending) this.connection.scheduler.drop(this.id);
      return;
    }
    this.connection.scheduler.drop(this.id);
    this.end();
    const error = new RpcError(Status.CANCELLED, 'the caller cancelled the call');
    this.context.abort(error);
    this.input?.fail(error);
  }

  /** The connection went away. */
  lost(reason: string): void {
    if (this.done) return;
    this.end();
    const error = new RpcError(Status.CANCELLED, `connection closed: ${reason}`);
    this.context.abort(error);
    this.input?.fail(error);
  }

  onWindow(bytes: number): void {
    this.sendWindow?.grant(bytes);
  }

  /** CallContext's header sink. */
  sendHeaders(metadata: Metadata): void {
    if (this.done) return;
    const payload = Buffer.allocUnsafe(metadataByteLength(metadata));
    writeMetadata(payload, 0, metadata);
    this.connection.scheduler.sendFrame(this.id, FrameKind.HEADERS, 0, payload);
  }

  /** Ends the call with `error` (RpcError as is; anything else as UNKNOWN, logged here). */
  fail(error: unknown): void {
    if (this.done) return;
    let status: RpcError;
    if (error instanceof RpcError) {
      status = error;
    } else {
      this.options.logger.error(`framerpc: handler of ${this.method.path} failed (caller gets UNKNOWN)`, error, this.context);
      status = new RpcError(Status.UNKNOWN, UNKNOWN_ERROR_TEXT);
    }
    try {
      this.sendStatus(status.code, status.message, status.details, mergeTrailers(this.context.trailersIfAny, status.metadata, this.options.logger), undefined);
    } catch (encodeError) {
      // An error that cannot be encoded (e.g. details not a string) must not escape: from an async
      // handler it would be an unhandled rejection. The caller gets INTERNAL instead.
      this.options.logger.error(`framerpc: the error thrown by ${this.method.path} could not be sent (caller gets INTERNAL)`, encodeError);
      status = new RpcError(Status.INTERNAL, 'internal server error while handling this call');
      this.sendStatus(status.code, status.message, '', undefined, undefined);
    }
    const abort = new RpcError(status.code, status.message);
    this.context.abort(abort);
    this.input?.fail(abort);
  }

  private run(input: unknown): void {
    const interceptors = this.options.interceptors;
    if (interceptors.length === 0 && !this.method.definition.responseStream) {
      // Fast path: a handler that answers synchronously is replied to without a promise.
      let result: unknown;
      try {
        const instance = this.method.instanceFor(this.context) as Record<string, (input: unknown, context: CallContext) => unknown>;
        result = instance[this.method.key](input, this.context);
      } catch (error) {
        this.fail(error);
        return;
      }
      if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
        (result as PromiseLike<unknown>).then(
          (response) => this.reply(response),
          (error: unknown) => this.fail(error),
        );
      } else {
        this.reply(result);
      }
      return;
    }
    // Made only here: the fast path above needs no closure per call.
    const invoke = (): Promise<unknown> => {
      const instance = this.method.instanceFor(this.context) as Record<string, (input: unknown, context: CallContext) => unknown>;
      const result = instance[this.method.key](input, this.context);
      return this.method.definition.responseStream ? this.pump(result as AsyncIterable<unknown>) : Promise.resolve(result);
    };
    let outcome: Promise<unknown>;
    try {
      outcome = interceptors.length === 0 ? invoke() : runIntercepted(interceptors, this.context, invoke);
    } catch (error) {
      this.fail(error);
      return;
    }
    outcome.then(
      (response) => {
        if (!this.method.definition.responseStream) this.reply(response);
      },
      (error) => this.fail(error),
    );
  }

  private reply(response: unknown): void {
    if (this.done) return;
    const bytes = this.encodeResponse(response);
    if (!bytes) return;
    this.sendStatus(Status.OK, '', '', this.context.trailersIfAny, bytes);
  }

  private async pump(responses: AsyncIterable<unknown>): Promise<unknown> {
    this.sendWindow = new SendWindow(this.connection.peerStreamWindow);
    const iterator = responses[Symbol.asyncIterator]();
    try {
      for (;;) {
        // Credit before pulling: the handler's stream is never pulled more than the window ahead of the caller.
        while (!this.sendWindow.canStart) {
          await this.sendWindow.waitToStart();
          if (this.done) return undefined;
        }
        const next = await iterator.next();
        if (next.done || this.done) break;
        const bytes = this.encodeResponse(next.value);
        if (!bytes) return undefined;
        this.sendWindow.take(bytes.length);
        this.context.headerSink = undefined;
        this.connection.sendMessage(this.id, bytes, false, true, this.context.compressResponse);
      }
    } finally {
      if (this.done) await iterator.return?.();
    }
    if (!this.done) this.sendStatus(Status.OK, '', '', this.context.trailersIfAny, undefined);
    return undefined;
  }

  private encodeResponse(response: unknown): Uint8Array | undefined {
    let bytes: Uint8Array;
    try {
      // A view: every caller writes it into a frame before anything else is encoded.
      bytes = encodeMessageView(this.method.definition.responseType, response);
    } catch (error) {
      this.fail(error);
      return undefined;
    }
    const refused = responseLimitError(bytes.length, this.options.maxResponseBytes, this.connection.flow.maxSendableMessage);
    if (refused) {
      if (bytes.length > this.options.maxResponseBytes) {
        this.options.logger.warn(`framerpc: response of ${this.method.path} is ${bytes.length} bytes, over maxResponseBytes (${this.options.maxResponseBytes})`, undefined, this.context);
      }
      this.fail(refused);
      return undefined;
    }
    return bytes;
  }

  private onConsumed(bytes: number): void {
    if (this.done) return; // end() released everything still held
    this.held -= bytes;
    this.connection.flow.release(bytes);
    const grant = this.receiveWindow?.consumed(bytes) ?? 0;
    if (grant > 0 && !this.done) this.connection.sendWindow(this.id, grant);
  }

  /** @internal Expirable: the deadline passed. */
  expire(): void {
    if (this.done) return;
    this.fail(new RpcError(Status.DEADLINE_EXCEEDED, `deadline of ${this.timeoutMs} ms exceeded`));
  }

  private sendStatus(code: Status, text: string, details: string, trailers: Metadata | undefined, message: Uint8Array | undefined): void {
    if (this.done) return;
    // Status first, end() after: ending the last call of a draining connection closes it (graceful close),
    // and a closing connection sends nothing more.
    const connection = this.connection;
    const scheduler = connection.scheduler;
    const compress = this.context.compressResponse;
    if (message && (compress !== undefined || !scheduler.trySendNow(this.id, message.length))) {
      // No credit or room for it now, or its own compression choice: the response goes as (fragmented)
      // MESSAGE frames under flow control, and the status without it, behind them.
      connection.sendMessage(this.id, message, false, true, compress);
      message = undefined;
    } else if (code === Status.OK && message && !trailers) {
      // The common unary reply, written in place: OK, HAS_MESSAGE, no text, details or trailers, the message.
      const target = connection.reserveFrame(FrameKind.STATUS, FrameFlag.END_STREAM, this.id, OK_WITH_MESSAGE_PREFIX.length + message.length);
      if (target) {
        writeOkWithMessage(target, connection.reservedOffset, message);
        connection.commitFrame();
        this.end();
        return;
      }
    }
    const status = encodeCallStatus(code, text, details, trailers, message);
    if (scheduler.hasQueued(this.id)) {
      // The status waits behind this call's messages (for the client's window): the call stays counted
      // in flight until it leaves, so maxConcurrentCalls bounds the replies a slow client makes us hold.
      this.replyPending = true;
      scheduler.sendFrame(this.id, FrameKind.STATUS, FrameFlag.END_STREAM, status, () => {
        this.replyPending = false;
        this.onDone(this);
      });
      this.end(false);
      return;
    }
    scheduler.sendFrame(this.id, FrameKind.STATUS, FrameFlag.END_STREAM, status);
    this.end();
  }

  /** `removeNow` false: the dispatcher forgets the call once its queued status has left. */
  private end(removeNow = true): void {
    this.done = true;
    if (this.deadlineAt > 0) deadlines.remove(this);
    this.awaitingRequest = false;
    if (this.memoryTimer) clearTimeout(this.memoryTimer);
    this.assembler?.clear();
    if (this.held > 0) {
      this.connection.flow.release(this.held);
      this.held = 0;
    }
    this.sendWindow?.release();
    if (removeNow) this.onDone(this);
  }
}

const FAILED = Symbol('failed');
