// Starts calls of the four kinds on a channel: encode, pick the connection, send CALL, stream under flow control.
import { FrameFlag, FrameKind } from '../codec/wire';
import { callHeaderLength, encodeCallHeader, writeCallHeader } from '../rpc/call-header';
import { encodeMessage, encodeMessageView } from '../rpc/message-encoder';
import { Metadata } from '../rpc/metadata';
import { RpcError } from '../rpc/rpc-error';
import { deadlineSignal } from '../rpc/deadline-signal';
import { Status } from '../rpc/status';
import { callOptionsError, effectiveTimeoutMs, pinDeadline, requestCompression, toMetadata, type CallOptions } from './call-options';
import type { CallChannel as Channel } from './call-channel';
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
  if (ready) return sendOn(ready, channel, method, bytes, input, metadata, options, true);
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
        if (!method.definition.requestStream) {
          // A server stream the server proves it never ran is sent again once; its caller reads on.
          call.resend = resendCall;
          call.resendChannel = channel;
          call.resendInput = input;
          call.resendMetadata = metadata;
        }
        if (!send(mux, call, bytes, metadata, options, false)) return;
        // Not awaited: the pump runs beside the call and ends it itself on failure (it never rejects).
        if (method.definition.requestStream) void pumpRequests(call, channel, input as AsyncIterable<unknown>);
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
// eslint-disable-next-line require-yield -- it only throws, on the first next()
async function* failedStream(error: RpcError): AsyncIterable<unknown> {
  throw error;
}

function start(channel: Channel, method: PreparedMethod, bytes: Uint8Array | undefined, input: unknown, metadata: Metadata | undefined, options: CallOptions | undefined): Promise<unknown> {
  const mux = channel.readyMultiplexer();
  if (mux) return sendOn(mux, channel, method, bytes, input, metadata, options, false);
  const pinned = pinDeadline(options);
  return withMultiplexer(channel, pinned, method).then((ready) => sendOn(ready, channel, method, bytes, input, metadata, pinned, false));
}

/** `borrowed`: `bytes` is a view of the shared writer, to be copied if it cannot leave at once. */
function sendOn(
  mux: Multiplexer,
  channel: Channel,
  method: PreparedMethod,
  bytes: Uint8Array | undefined,
  input: unknown,
  metadata: Metadata | undefined,
  options: CallOptions | undefined,
  borrowed: boolean,
): Promise<unknown> {
  // The executor only hands out the settle functions: no closure over this call's arguments.
  const response = new Promise<unknown>(takeSettlers);
  const resolve = takenResolve as (value: unknown) => void;
  const reject = takenReject as (error: unknown) => void;
  takenResolve = takenReject = undefined;
  try {
    const call = new ClientCall(mux, method, options, resolve, reject);
    if (!method.definition.requestStream && !method.definition.responseStream) {
      // A unary call the server proves it never ran is sent again once (resendCall).
      call.resend = resendCall;
      call.resendChannel = channel;
      call.resendInput = input;
      call.resendMetadata = metadata;
    }
    if (send(mux, call, bytes, metadata, options, borrowed) && method.definition.requestStream) {
      void pumpRequests(call, channel, input as AsyncIterable<unknown>); // runs beside the call; never rejects
    }
  } catch (error) {
    reject(error); // as a throw inside a promise executor would
  }
  return response;
}

let takenResolve: ((value: unknown) => void) | undefined;
let takenReject: ((error: unknown) => void) | undefined;
function takeSettlers(resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
  takenResolve = resolve;
  takenReject = reject;
}

/**
 * Sends a not-processed unary or server-streaming call again on a new connection, within its deadline (or
 * retryWaitMs without one). Client- and bidi-streaming calls are not: their request stream was read.
 */
function resendCall(call: ClientCall): void {
  const channel = call.resendChannel as Channel;
  const input = call.resendInput;
  const metadata = call.resendMetadata;
  const method = call.method;
  const deadline = call.deadlineAt > 0 ? call.deadlineAt : undefined;
  const options: CallOptions = { ...call.options, timeoutMs: undefined, deadline, waitForReady: true };
  const bound = deadline === undefined ? AbortSignal.timeout(channel.options.retryWaitMs) : undefined;
  withMultiplexer(channel, options, method, bound)
    .then((mux) => {
      const bytes = encodeRequest(channel, method, input);
      const again = new ClientCall(mux, method, options, call.settle, call.settleError, call.responses);
      send(mux, again, bytes, metadata, options, false);
    })
    .catch((error: unknown) => {
      // It never reached a server: still not processed (a deadline that passed meanwhile stays DEADLINE_EXCEEDED).
      const failure = callerError(method, error);
      if (failure.code === Status.UNAVAILABLE || bound?.aborted) failure.notProcessed = true;
      call.responses?.fail(failure);
      call.settleError(failure);
    });
}

/** Sends the CALL frame (with the request when it can go at once) and arms deadline and abort. */
function send(mux: Multiplexer, call: ClientCall, bytes: Uint8Array | undefined, metadata: Metadata | undefined, options: CallOptions | undefined, borrowed: boolean): boolean {
  const id = mux.add(call);
  const timeoutMs = effectiveTimeoutMs(options);
  const connection = mux.connection;
  const pathBytes = call.method.pathBytes;
  let sent: boolean;
  try {
    if (bytes && bytes.length > connection.flow.maxSendableMessage) {
      call.fail(Status.RESOURCE_EXHAUSTED, `request of ${bytes.length} bytes is larger than the server's connection window lets through (${connection.flow.maxSendableMessage} bytes)`);
      return false;
    }
    // The request rides in the CALL frame when credit and room allow; otherwise the CALL goes alone and
    // the request follows in MESSAGE frames under flow control.
    // A request with its own compression choice goes as a MESSAGE, the frame the choice applies to.
    const compress = requestCompression(options, 0);
    const inline = bytes !== undefined && compress === undefined && connection.scheduler.trySendNow(id, bytes.length) ? bytes : undefined;
    const flags = inline ? FrameFlag.END_STREAM : 0;
    // Written in place in the outbound queue when it can be; built and copied otherwise (compression).
    const target = connection.reserveFrame(FrameKind.CALL, flags, id, callHeaderLength(pathBytes, metadata, inline));
    if (target) {
      writeCallHeader(target, connection.reservedOffset, pathBytes, timeoutMs, metadata, inline);
      connection.commitFrame();
      sent = true;
    } else {
      sent = connection.send(FrameKind.CALL, flags, id, encodeCallHeader(pathBytes, timeoutMs, metadata, inline));
    }
    if (sent && bytes && !inline) connection.sendMessage(id, bytes, true, borrowed, compress);
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
  let index = 0;
  try {
    for (;;) {
      // Credit before pulling: the request stream is never pulled more than the window ahead of the server.
      while (!window.canStart) {
        await window.waitToStart();
        if (call.done) return;
      }
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
      if (bytes.length > connection.flow.maxSendableMessage) {
        throw new RpcError(
          Status.RESOURCE_EXHAUSTED,
          `request message of ${bytes.length} bytes is larger than the server's connection window lets through (${connection.flow.maxSendableMessage} bytes)`,
        );
      }
      window.take(bytes.length);
      connection.sendMessage(call.id, bytes, false, false, requestCompression(call.options, index++));
    }
    if (!call.done) connection.scheduler.sendFrame(call.id, FrameKind.HALF_CLOSE, 0, EMPTY);
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
  const message = method.normalizeRequest(request); // throws INVALID_ARGUMENT itself
  try {
    bytes = asView ? encodeMessageView(method.definition.requestType, message) : encodeMessage(method.definition.requestType, message);
  } catch (error) {
    throw new RpcError(Status.INVALID_ARGUMENT, `request could not be encoded: ${(error as Error).message}`);
  }
  if (bytes.length > channel.options.maxRequestBytes) {
    throw new RpcError(Status.RESOURCE_EXHAUSTED, `request of ${bytes.length} bytes exceeds maxRequestBytes (${channel.options.maxRequestBytes})`);
  }
  return bytes;
}

function withMultiplexer(channel: Channel, options: CallOptions | undefined, method: PreparedMethod, bound?: AbortSignal): Promise<Multiplexer> {
  const waitForReady = options?.waitForReady ?? channel.options.waitForReady;
  const timeoutMs = effectiveTimeoutMs(options);
  const signals: AbortSignal[] = [];
  if (options?.signal) signals.push(options.signal);
  const deadline = timeoutMs > 0 ? deadlineSignal(timeoutMs) : undefined;
  if (deadline) signals.push(deadline.signal);
  if (bound) signals.push(bound);
  const signal = signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
  return channel
    .multiplexer(waitForReady, signal)
    .finally(() => deadline?.dispose())
    .catch((error) => {
      if (bound?.aborted && !options?.signal?.aborted && !deadline?.signal.aborted) {
        throw callerError(method, new RpcError(Status.UNAVAILABLE, `no new connection within retryWaitMs (${channel.options.retryWaitMs} ms) to send the call again`));
      }
      if (signal?.aborted && !(error instanceof RpcError)) {
        const timedOut = !options?.signal?.aborted;
        throw callerError(
          method,
          new RpcError(timedOut ? Status.DEADLINE_EXCEEDED : Status.CANCELLED, timedOut ? `deadline of ${timeoutMs} ms exceeded while waiting for a connection` : 'the caller aborted the call'),
        );
      }
      throw callerError(method, error);
    });
}

function callerError(method: PreparedMethod, error: unknown): RpcError {
  const source = error instanceof RpcError ? error : new RpcError(Status.UNKNOWN, (error as Error)?.message ?? String(error));
  if (source.method) return source;
  const failure = RpcError.forCaller(method.path, source.code, source.message, source.details, source.metadata);
  failure.notProcessed = source.notProcessed; // e.g. no endpoint was ready: it reached no server
  return failure;
}
