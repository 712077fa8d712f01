// Starts calls of the four kinds on a channel: encode, pick the connection, send CALL, stream under flow control.
import { FrameFlag, FrameKind } from '../transport/wire';
import { callHeaderLength, encodeCallHeader, writeCallHeader } from '../rpc/call-header';
import { encodeMessage, encodeMessageView } from '../rpc/message-encoder';
import { Metadata } from '../rpc/metadata';
import { RpcError } from '../rpc/rpc-error';
import { deadlineSignal } from '../rpc/deadline-signal';
import { Status } from '../rpc/status';
import { callOptionsError, effectiveTimeoutMs, pinDeadline, toMetadata, type CallOptions } from './call-options';
import type { Channel } from './channel';
import { ClientCall } from './client-call';
import { runClientIntercepted } from './client-interceptor';
import type { Multiplexer } from './multiplexer';
import type { PreparedMethod } from './prepared-method';

const EMPTY = Buffer.alloc(0);

/** A unary or client-streaming call: resolves with the response. */
export function callForResponse(channel: Channel, method: PreparedMethod, input: unknown, options: CallOptions | undefined): Promise<unknown> {
  const refused = callOptionsError(options);
  if (refused) return Promise.reject(callerError(method, refused));
  const streaming = method.definition.requestStream;
  const interceptors = channel.options.interceptors;
  // With no interceptor and an open connection the request goes out synchronously, so it can be
  // encoded as a view of the shared writer; otherwise it must outlive other encodes: a copy.
  const ready = interceptors.length === 0 ? channel.readyMultiplexer() : undefined;
  let bytes: Uint8Array | undefined;
  if (!streaming) {
    try {
      bytes = encodeRequest(channel, method, input, ready !== undefined);
    } catch (error) {
      return Promise.reject(callerError(method, error));
    }
  }
  const metadata = toMetadata(options?.metadata);
  if (ready) return sendOn(ready, channel, method, bytes, input, metadata, options);
  if (interceptors.length === 0) return start(channel, method, bytes, input, metadata, options);
  const info = { method: method.path, kind: method.kind, metadata: interceptorMetadata(metadata) };
  return runClientIntercepted(interceptors, info, () => start(channel, method, bytes, input, info.metadata, options));
}

/** A server-streaming or bidi call: the responses as an AsyncIterable; breaking out of it cancels the call. */
export function callForStream(channel: Channel, method: PreparedMethod, input: unknown, options: CallOptions | undefined): AsyncIterable<unknown> {
  const refused = callOptionsError(options);
  if (refused) return failedStream(callerError(method, refused));
  let resolveStart!: (call: ClientCall) => void;
  let rejectStart!: (error: unknown) => void;
  const started = new Promise<ClientCall>((resolve, reject) => {
    resolveStart = resolve;
    rejectStart = reject;
  });
  started.catch(() => undefined); // surfaced by the iterator
  // Resolves when the call ends (what interceptors await); failures reach the caller through the iterator.
  options = pinDeadline(options);
  const begin = (metadata: Metadata | undefined): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const bytes = method.definition.requestStream ? undefined : encodeRequest(channel, method, input);
      withMultiplexer(channel, options, method).then((mux) => {
        const call = new ClientCall(mux, method, options, resolve, reject);
        if (!send(mux, call, bytes, metadata, options)) return;
        if (method.definition.requestStream) pumpRequests(call, channel, input as AsyncIterable<unknown>);
        resolveStart(call);
      }, reject);
    });
  const metadata = toMetadata(options?.metadata);
  const interceptors = channel.options.interceptors;
  const info = interceptors.length === 0 ? undefined : { method: method.path, kind: method.kind, metadata: interceptorMetadata(metadata) };
  const chain = info ? runClientIntercepted(interceptors, info, () => begin(info.metadata)) : begin(metadata);
  // An error before the call started (encoding, no connection, an interceptor refusing) fails the stream.
  chain.catch((error) => rejectStart(callerError(method, error)));
  return (async function* responses() {
    const call = await started;
    yield* call.responses as AsyncIterable<unknown>;
  })();
}

/** A response stream that fails on the first read (the call was refused before it started). */
async function* failedStream(error: RpcError): AsyncIterable<unknown> {
  throw error;
}

function start(channel: Channel, method: PreparedMethod, bytes: Uint8Array | undefined, input: unknown, metadata: Metadata | undefined, options: CallOptions | undefined): Promise<unknown> {
  const mux = channel.readyMultiplexer();
  if (mux) return sendOn(mux, channel, method, bytes, input, metadata, options);
  const pinned = pinDeadline(options);
  return withMultiplexer(channel, pinned, method).then((ready) => sendOn(ready, channel, method, bytes, input, metadata, pinned));
}

function sendOn(mux: Multiplexer, channel: Channel, method: PreparedMethod, bytes: Uint8Array | undefined, input: unknown, metadata: Metadata | undefined, options: CallOptions | undefined): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const call = new ClientCall(mux, method, options, resolve, reject);
    if (send(mux, call, bytes, metadata, options) && method.definition.requestStream) {
      pumpRequests(call, channel, input as AsyncIterable<unknown>);
    }
  });
}

/** Sends the CALL frame (with the request when there is one) and arms deadline and abort. */
function send(mux: Multiplexer, call: ClientCall, bytes: Uint8Array | undefined, metadata: Metadata | undefined, options: CallOptions | undefined): boolean {
  const id = mux.add(call);
  const timeoutMs = effectiveTimeoutMs(options);
  const flags = bytes ? FrameFlag.END_STREAM : 0;
  const connection = mux.connection;
  const pathBytes = call.method.pathBytes;
  let sent: boolean;
  try {
    // Written in place in the outbound queue when it can be; built and copied otherwise (compression).
    const target = connection.reserveFrame(FrameKind.CALL, flags, id, callHeaderLength(pathBytes, metadata, bytes));
    if (target) {
      writeCallHeader(target, connection.reservedOffset, pathBytes, timeoutMs, metadata, bytes);
      connection.commitFrame();
      sent = true;
    } else {
      sent = connection.send(FrameKind.CALL, flags, id, encodeCallHeader(pathBytes, timeoutMs, metadata, bytes));
    }
  } catch (error) {
    // e.g. a metadata value over 65535 bytes: fail this call (and free its id), never throw past it.
    const code = error instanceof RpcError ? error.code : Status.INTERNAL;
    call.fail(code, (error as Error)?.message ?? String(error));
    return false;
  }
  if (!sent) {
    call.fail(Status.UNAVAILABLE, 'the connection is closing');
    return false;
  }
  if (timeoutMs > 0 || options?.signal) call.arm(timeoutMs);
  return true;
}

/** Sends a request stream under the server's flow-control credit and the connection's backpressure. */
async function pumpRequests(call: ClientCall, channel: Channel, requests: AsyncIterable<unknown>): Promise<void> {
  const connection = call.mux.connection;
  const window = call.sendWindow!;
  const iterator = requests[Symbol.asyncIterator]();
  let exhausted = false;
  try {
    for (;;) {
      // Credit before pulling: the request stream is never pulled more than the window ahead of the server.
      while (!window.tryTake()) {
        await window.waitForCredit();
        if (call.done) return;
      }
      await connection.whenWritable();
      if (call.done) return;
      let next: IteratorResult<unknown>;
      try {
        next = await iterator.next();
      } catch (error) {
        exhausted = true;
        throw error;
      }
      if (next.done) {
        exhausted = true;
        break;
      }
      if (call.done) return;
      const bytes = encodeRequest(channel, call.method, next.value);
      connection.send(FrameKind.MESSAGE, 0, call.id, bytes);
    }
    if (!call.done) connection.send(FrameKind.HALF_CLOSE, 0, call.id, EMPTY);
  } catch (error) {
    const code = error instanceof RpcError ? error.code : Status.CANCELLED;
    call.cancel(code, `the request stream failed: ${(error as Error)?.message ?? String(error)}`);
  } finally {
    // As for-await would: let the request stream clean up when the call ended before it did.
    if (!exhausted) await Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}

/** A copy interceptors may change without touching the caller's Metadata (or a client's defaults, shared by every call). */
function interceptorMetadata(metadata: Metadata | undefined): Metadata {
  const copy = new Metadata();
  if (metadata) for (const [key, value] of metadata.entries()) copy.add(key, value);
  return copy;
}

function encodeRequest(channel: Channel, method: PreparedMethod, request: unknown, asView = false): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = asView ? encodeMessageView(method.definition.requestType, request) : encodeMessage(method.definition.requestType, request);
  } catch (error) {
    throw new RpcError(Status.INVALID_ARGUMENT, `request could not be encoded: ${(error as Error).message}`);
  }
  if (bytes.length > channel.options.maxRequestBytes) {
    throw new RpcError(Status.RESOURCE_EXHAUSTED, `request of ${bytes.length} bytes exceeds maxRequestBytes (${channel.options.maxRequestBytes})`);
  }
  return bytes;
}

function withMultiplexer(channel: Channel, options: CallOptions | undefined, method: PreparedMethod): Promise<Multiplexer> {
  const waitForReady = options?.waitForReady ?? channel.options.waitForReady;
  const timeoutMs = effectiveTimeoutMs(options);
  const signals: AbortSignal[] = [];
  if (options?.signal) signals.push(options.signal);
  const deadline = timeoutMs > 0 ? deadlineSignal(timeoutMs) : undefined;
  if (deadline) signals.push(deadline.signal);
  const signal = signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
  return channel.multiplexer(waitForReady, signal).finally(() => deadline?.dispose()).catch((error) => {
    if (signal?.aborted && !(error instanceof RpcError)) {
      const timedOut = !options?.signal?.aborted;
      throw callerError(method, new RpcError(timedOut ? Status.DEADLINE_EXCEEDED : Status.CANCELLED, timedOut ? `deadline of ${timeoutMs} ms exceeded while waiting for a connection` : 'the caller aborted the call'));
    }
    throw callerError(method, error);
  });
}

function callerError(method: PreparedMethod, error: unknown): RpcError {
  const source = error instanceof RpcError ? error : new RpcError(Status.UNKNOWN, (error as Error)?.message ?? String(error));
  if (source.method) return source;
  return RpcError.forCaller(method.path, source.code, source.message, source.details, source.metadata);
}
