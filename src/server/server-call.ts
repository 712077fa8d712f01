// One call being served: runs the handler, streams its messages under flow control, sends the final status.
import type { FrameConnection } from '../transport/frame-connection';
import { FrameFlag, FrameKind } from '../transport/wire';
import { encodeCallStatus, OK_WITH_MESSAGE_PREFIX } from '../rpc/call-status';
import { deadlines } from '../rpc/deadline-queue';
import { encodeMessageView } from '../rpc/message-encoder';
import { SendWindow, ReceiveWindow, sendWindowGrant } from '../rpc/flow-control';
import { MessageQueue } from '../rpc/message-queue';
import { Metadata, metadataByteLength, writeMetadata } from '../rpc/metadata';
import { RpcError } from '../rpc/rpc-error';
import { Status } from '../rpc/status';
import type { RegisteredMethod } from '../service/method-registry';
import type { CallContext } from './call-context';
import { runIntercepted } from './server-interceptor';
import type { ResolvedServerCallOptions } from './server-options';

const UNKNOWN_ERROR_TEXT = 'Unknown server error occurred';

/** Server side of one call; the dispatcher routes its frames here. */
export class ServerCall {
  done = false;
  private input: MessageQueue<unknown> | undefined;
  private receiveWindow: ReceiveWindow | undefined;
  private sendWindow: SendWindow | undefined;
  /** @internal Expirable: when the deadline passes (set by the deadline queue). */
  deadlineAt = 0;
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

  /** Starts the handler. `request` is the decoded request for unary and server-streaming calls. */
  start(request: unknown, firstMessage: Buffer | undefined, inputEnded: boolean): void {
    const kind = this.method.kind;
    if (kind === 'unary' || kind === 'server-streaming') {
      this.run(request);
      return;
    }
    this.receiveWindow = new ReceiveWindow();
    this.input = new MessageQueue<unknown>(() => this.onConsumed(), () => undefined);
    if (firstMessage) this.onMessage(firstMessage);
    if (inputEnded) this.input.end();
    this.run(this.input);
  }

  /** A request message of a streaming call. */
  onMessage(payload: Buffer): void {
    if (this.done) return;
    if (!this.input || !this.receiveWindow) {
      this.fail(new RpcError(Status.INVALID_ARGUMENT, `${this.method.path} takes one request message, and a second one arrived`));
      return;
    }
    if (!this.receiveWindow.receive()) {
      this.fail(new RpcError(Status.RESOURCE_EXHAUSTED, 'flow control: more request messages than the window allows'));
      return;
    }
    if (payload.length > this.options.maxRequestBytes) {
      this.fail(new RpcError(Status.RESOURCE_EXHAUSTED, `request of ${payload.length} bytes exceeds maxRequestBytes (${this.options.maxRequestBytes})`));
      return;
    }
    let message: unknown;
    try {
      message = this.method.definition.requestType.decode(payload);
    } catch (error) {
      this.fail(new RpcError(Status.INVALID_ARGUMENT, `request for ${this.method.path} is not valid protobuf: ${(error as Error).message}`));
      return;
    }
    this.input.push(message);
  }

  /** The caller sends no more messages. */
  onHalfClose(): void {
    this.input?.end();
  }

  /** The caller cancelled: the handler's signal fires, nothing more is sent. */
  cancel(): void {
    if (this.done) return;
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

  onWindow(messages: number): void {
    this.sendWindow?.grant(messages);
  }

  /** CallContext's header sink. */
  sendHeaders(metadata: Metadata): void {
    if (this.done) return;
    const payload = Buffer.allocUnsafe(metadataByteLength(metadata));
    writeMetadata(payload, 0, metadata);
    this.connection.send(FrameKind.HEADERS, 0, this.id, payload);
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
    this.sendStatus(status.code, status.message, status.details, mergeTrailers(this.context.trailersIfAny, status.metadata), undefined);
    const abort = new RpcError(status.code, status.message);
    this.context.abort(abort);
    this.input?.fail(abort);
  }

  private run(input: unknown): void {
    const interceptors = this.options.interceptors;
    const invoke = (): Promise<unknown> => {
      const instance = this.method.instanceFor(this.context) as Record<string, (input: unknown, context: CallContext) => unknown>;
      const result = instance[this.method.key](input, this.context);
      return this.method.definition.responseStream ? this.pump(result as AsyncIterable<unknown>) : Promise.resolve(result);
    };
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
        (result as PromiseLike<unknown>).then((response) => this.reply(response), (error: unknown) => this.fail(error));
      } else {
        this.reply(result);
      }
      return;
    }
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
    this.sendWindow = new SendWindow();
    const iterator = responses[Symbol.asyncIterator]();
    try {
      for (;;) {
        // Credit before pulling: the handler's stream is never pulled more than the window ahead of the caller.
        while (!this.sendWindow.tryTake()) {
          await this.sendWindow.waitForCredit();
          if (this.done) return undefined;
        }
        await this.connection.whenWritable();
        if (this.done) break;
        const next = await iterator.next();
        if (next.done || this.done) break;
        const bytes = this.encodeResponse(next.value);
        if (!bytes) return undefined;
        this.context.headerSink = undefined;
        this.connection.send(FrameKind.MESSAGE, 0, this.id, bytes);
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
    if (bytes.length > this.options.maxResponseBytes) {
      this.options.logger.warn(`framerpc: response of ${this.method.path} is ${bytes.length} bytes, over maxResponseBytes (${this.options.maxResponseBytes})`, undefined, this.context);
      this.fail(new RpcError(Status.RESOURCE_EXHAUSTED, `response of ${bytes.length} bytes exceeds maxResponseBytes (${this.options.maxResponseBytes})`));
      return undefined;
    }
    return bytes;
  }

  private onConsumed(): void {
    const grant = this.receiveWindow?.consume() ?? 0;
    if (grant > 0 && !this.done) sendWindowGrant(this.connection, this.id, grant);
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
    if (code === Status.OK && message && !trailers) {
      // The common unary reply, written in place: OK, HAS_MESSAGE, no text, details or trailers, the message.
      const connection = this.connection;
      const target = connection.reserveFrame(FrameKind.STATUS, FrameFlag.END_STREAM, this.id, OK_WITH_MESSAGE_PREFIX.length + message.length);
      if (target) {
        const at = connection.reservedOffset;
        OK_WITH_MESSAGE_PREFIX.copy(target, at);
        target.set(message, at + OK_WITH_MESSAGE_PREFIX.length);
        connection.commitFrame();
        this.end();
        return;
      }
    }
    this.connection.send(FrameKind.STATUS, FrameFlag.END_STREAM, this.id, encodeCallStatus(code, text, details, trailers, message));
    this.end();
  }

  private end(): void {
    this.done = true;
    this.sendWindow?.release();
    this.onDone(this);
  }
}

function mergeTrailers(a: Metadata | undefined, b: Metadata | undefined): Metadata | undefined {
  if (!a) return b;
  if (!b) return a;
  const merged = new Metadata();
  for (const [key, value] of a.entries()) merged.add(key, value);
  for (const [key, value] of b.entries()) merged.add(key, value);
  return merged;
}
