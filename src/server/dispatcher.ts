// Routes a connection's RPC frames to calls: opens calls, enforces per-connection limits, answers bad input.
import type { CloseInfo } from '../transport/close-info';
import type { GoawayInfo } from '../transport/frame-connection-events';
import type { FrameSink } from '../transport/frame-sink';
import type { FrameTransport as FrameConnection } from '../transport/frame-transport';
import { FrameError } from '../codec/frame-error';
import { CloseCode, FrameFlag, FrameKind } from '../codec/wire';
import { newCallHeaderFields, newMetadataCache, readCallHeader, type CallHeaderFields, type MetadataCache } from '../rpc/call-header';
import { encodeCallStatus } from '../rpc/call-status';
import { RpcError } from '../rpc/rpc-error';
import { Status } from '../rpc/status';
import type { MethodRegistry } from '../service/method-registry';
import { failCallAfterCrash } from './call-crash';
import { CancelGuard } from './cancel-guard';
import { CallContext } from '../service/call-context';
import { ServerCall } from './server-call';
import type { ResolvedServerCallOptions } from './server-options';

/** What the server hears of each connection through its dispatcher (one object per server, no listeners per connection). */
export interface ConnectionEvents {
  closed(connection: FrameConnection, info: CloseInfo): void;
  goaway(connection: FrameConnection, info: GoawayInfo): void;
}

/**
 * The server side of one connection's calls. Bad input on one call gets a status on that call only;
 * the connection and its other calls carry on.
 */
export class Dispatcher implements FrameSink {
  // Made by the first call (an idle connection has none): the calls in flight, the last metadata decoded,
  // the CALL being opened (read in place: one object for every call, nothing keeps it past onCall), the
  // cancel rate, the peer's name for call contexts, and the callback calls end with.
  private calls: Map<number, ServerCall> | undefined;
  private metadataCache: MetadataCache | undefined;
  private header: CallHeaderFields | undefined;
  private cancels: CancelGuard | undefined;
  private peer: string | undefined;
  private removeCall: ((call: ServerCall) => void) | undefined;
  private lastCallId = 0;
  private goawayTold = false;

  constructor(
    private readonly connection: FrameConnection,
    private readonly registry: MethodRegistry,
    private readonly options: ResolvedServerCallOptions,
    /** The server's hooks, called after this dispatcher's own handling. Default none. */
    private readonly events?: ConnectionEvents,
  ) {}

  /** Calls in flight on this connection. */
  get callsInFlight(): number {
    return this.calls?.size ?? 0;
  }

  /** FrameSink: the connection closed: every call still in flight is lost. */
  onConnectionClose(info: CloseInfo): void {
    if (this.calls) for (const call of [...this.calls.values()]) call.lost(info.reason);
    this.events?.closed(this.connection, info);
  }

  /** FrameSink: the client sent GOAWAY; the server hears of the first only (a client may send a second, closing). */
  onConnectionGoaway(info: GoawayInfo): void {
    if (this.goawayTold) return;
    this.goawayTold = true;
    this.events?.goaway(this.connection, info);
  }

  onFrame(kind: number, flags: number, id: number, payload: Buffer): void {
    try {
      this.route(kind, flags, id, payload);
    } catch (error) {
      if (error instanceof FrameError) throw error; // the peer broke the protocol: the connection closes
      failCallAfterCrash(this.connection, this.calls?.get(id), id, kind, error, this.options.logger);
    }
  }

  private route(kind: number, flags: number, id: number, payload: Buffer): void {
    switch (kind) {
      case FrameKind.CALL:
        this.onCall(flags, id, payload);
        return;
      case FrameKind.MESSAGE: {
        // Counted against the connection window whatever becomes of it; released at once if no call takes it.
        this.connection.flow.received(payload.length);
        const call = this.calls?.get(id);
        if (!call) {
          this.connection.flow.release(payload.length); // raced with the call's end (or never accepted)
          return;
        }
        call.onMessage(payload, flags);
        if (flags & FrameFlag.END_STREAM) call.onHalfClose();
        return;
      }
      case FrameKind.HALF_CLOSE:
        this.calls?.get(id)?.onHalfClose();
        return;
      case FrameKind.CANCEL: {
        const call = this.calls?.get(id); // an unknown id already ended: ignore
        if (call) (this.cancels ??= new CancelGuard(this.options)).count(); // too many CALL+CANCEL pairs throw RAPID_RESET
        call?.cancel();
        return;
      }
      case FrameKind.WINDOW:
        // The transport checked the payload size for every WINDOW; an id not in flight has ended: ignore.
        this.calls?.get(id)?.onWindow(payload.readUInt32BE(0));
        return;
      case FrameKind.DATA:
        return; // raw transport frames have no meaning on an RPC connection
      default:
        throw new FrameError(CloseCode.PROTOCOL_ERROR, `frame kind 0x${kind.toString(16)} is not sent by clients`);
    }
  }

  private onCall(flags: number, id: number, payload: Buffer): void {
    if (id === 0) throw new FrameError(CloseCode.PROTOCOL_ERROR, 'CALL on stream 0 (call ids are 1 to 2^32-1)');
    const header = (this.header ??= newCallHeaderFields());
    try {
      readCallHeader(payload, header, (this.metadataCache ??= newMetadataCache()));
    } catch (error) {
      this.refuse(id, error as RpcError);
      return;
    }
    const inline = header.messageOffset < 0 ? 0 : payload.length - header.messageOffset;
    if (inline > 0) this.connection.flow.received(inline);
    if (this.connection.state !== 'open' && id > this.connection.lastAcceptedCallId) {
      // After GOAWAY: never run. The client was told the last id accepted and retries this one elsewhere;
      // the status is for peers that did not act on the GOAWAY yet.
      this.connection.flow.release(inline);
      this.refuse(
        id,
        new RpcError(Status.UNAVAILABLE, `the server is shutting down and did not run this call (above the last accepted call id ${this.connection.lastAcceptedCallId}); retry on another connection`),
      );
      return;
    }
    if (id <= this.lastCallId) {
      throw new FrameError(CloseCode.PROTOCOL_ERROR, `call id ${id} is not above the previous call id ${this.lastCallId} (ids increase on a connection)`);
    }
    this.lastCallId = id;
    this.connection.lastAcceptedCallId = id;
    const refused = this.admit(flags, id, header, payload);
    if (refused) {
      this.connection.flow.release(inline);
      this.refuse(id, refused);
    }
  }

  /** Opens the call, or returns why it is refused. */
  private admit(flags: number, id: number, header: CallHeaderFields, payload: Buffer): RpcError | undefined {
    const method = this.registry.get(header.method);
    if (!method) return new RpcError(Status.UNIMPLEMENTED, `no service on this server has a method ${header.method}`);
    const calls = (this.calls ??= new Map());
    if (calls.size >= this.options.maxConcurrentCalls) {
      return new RpcError(Status.RESOURCE_EXHAUSTED, `too many calls in flight on this connection (maxConcurrentCalls ${this.options.maxConcurrentCalls})`);
    }
    const handlers = this.options.handlers;
    if (handlers.active >= this.options.maxConcurrentHandlers) {
      return new RpcError(Status.RESOURCE_EXHAUSTED, `too many calls in flight on this server (maxConcurrentHandlers ${this.options.maxConcurrentHandlers})`);
    }
    const hasMessage = header.messageOffset >= 0;
    const messageBytes = hasMessage ? payload.length - header.messageOffset : 0;
    if (messageBytes > this.options.maxRequestBytes) {
      return new RpcError(Status.RESOURCE_EXHAUSTED, `request of ${messageBytes} bytes exceeds maxRequestBytes (${this.options.maxRequestBytes})`);
    }
    const ended = (flags & FrameFlag.END_STREAM) !== 0;
    let request: unknown;
    const singleRequest = !method.definition.requestStream;
    // A single request either comes in the CALL frame (END_STREAM set) or follows in MESSAGE frames.
    const requestFollows = singleRequest && !hasMessage && !ended;
    if (singleRequest && !requestFollows) {
      if (!hasMessage) return new RpcError(Status.INVALID_ARGUMENT, `${method.path} needs one request message, and the CALL ended the stream without it`);
      try {
        request = method.decodeRequest(payload, header.messageOffset, messageBytes);
      } catch (error) {
        return new RpcError(Status.INVALID_ARGUMENT, `request for ${method.path} is not valid protobuf: ${(error as Error).message}`);
      }
    }
    const deadline = header.timeoutMs > 0 ? Date.now() + header.timeoutMs : undefined;
    const peer = (this.peer ??= `${this.connection.remoteAddress}:${this.connection.remotePort}`);
    const context = new CallContext(method.path, header.metadata, deadline, peer, this.connection.id, this.connection.receivedAt);
    const call = new ServerCall(id, method, context, this.connection, this.options, (this.removeCall ??= (ended) => this.forget(ended)), header.timeoutMs);
    calls.set(id, call);
    handlers.active++;
    this.connection.beginWork();
    if (requestFollows) call.awaitRequest();
    else call.start(request, messageBytes, singleRequest || !hasMessage ? undefined : payload.subarray(header.messageOffset), ended);
    return undefined;
  }

  private refuse(id: number, error: RpcError): void {
    this.connection.scheduler.sendFrame(id, FrameKind.STATUS, FrameFlag.END_STREAM, encodeCallStatus(error.code, error.message, error.details, error.metadata, undefined));
  }

  private forget(call: ServerCall): void {
    if (this.calls?.get(call.id) === call) {
      this.calls.delete(call.id);
      this.options.handlers.active--;
      this.connection.endWork();
    }
  }
}
