// Routes a connection's RPC frames to calls: opens calls, enforces per-connection limits, answers bad input.
import type { CloseInfo } from '../transport/close-info';
import type { FrameSink } from '../transport/frame-decoder';
import type { FrameConnection } from '../transport/frame-connection';
import { FrameError } from '../transport/frame-error';
import { CloseCode, FrameFlag, FrameKind } from '../transport/wire';
import { decodeCallHeader, newMetadataCache, type CallHeader } from '../rpc/call-header';
import { encodeCallStatus } from '../rpc/call-status';
import { RpcError } from '../rpc/rpc-error';
import { Status } from '../rpc/status';
import type { MethodRegistry } from '../service/method-registry';
import { failCallAfterCrash } from './call-crash';
import { CancelGuard } from './cancel-guard';
import { CallContext } from './call-context';
import { ServerCall } from './server-call';
import type { ResolvedServerCallOptions } from './server-options';

/**
 * The server side of one connection's calls. Bad input on one call gets a status on that call only;
 * the connection and its other calls carry on.
 */
export class Dispatcher implements FrameSink {
  private readonly calls = new Map<number, ServerCall>();
  private readonly metadataCache = newMetadataCache();
  private readonly cancels: CancelGuard;
  private readonly peer: string;
  private readonly removeCall = (call: ServerCall): void => {
    if (this.calls.get(call.id) === call) {
      this.calls.delete(call.id);
      this.connection.endWork();
    }
  };

  constructor(
    private readonly connection: FrameConnection,
    private readonly registry: MethodRegistry,
    private readonly options: ResolvedServerCallOptions,
  ) {
    this.peer = `${connection.remoteAddress}:${connection.remotePort}`;
    this.cancels = new CancelGuard(options);
    connection.once('close', (info) => this.onClose(info));
  }

  /** Calls in flight on this connection. */
  get callsInFlight(): number {
    return this.calls.size;
  }

  onFrame(kind: number, flags: number, id: number, payload: Buffer): void {
    try {
      this.route(kind, flags, id, payload);
    } catch (error) {
      if (error instanceof FrameError) throw error; // the peer broke the protocol: the connection closes
      failCallAfterCrash(this.connection, this.calls.get(id), id, kind, error, this.options.logger);
    }
  }

  private route(kind: number, flags: number, id: number, payload: Buffer): void {
    switch (kind) {
      case FrameKind.CALL:
        this.onCall(flags, id, payload);
        return;
      case FrameKind.MESSAGE: {
        const call = this.calls.get(id);
        if (!call) return; // raced with the call's end: nothing to do
        call.onMessage(payload);
        if (flags & FrameFlag.END_STREAM) call.onHalfClose();
        return;
      }
      case FrameKind.HALF_CLOSE:
        this.calls.get(id)?.onHalfClose();
        return;
      case FrameKind.CANCEL: {
        const call = this.calls.get(id); // an unknown id already ended: ignore
        if (call) this.cancels.count(); // too many CALL+CANCEL pairs throw RAPID_RESET
        call?.cancel();
        return;
      }
      case FrameKind.WINDOW:
        if (payload.length !== 4) throw new FrameError(CloseCode.PROTOCOL_ERROR, `WINDOW payload must be 4 bytes, got ${payload.length}`);
        this.calls.get(id)?.onWindow(payload.readUInt32BE(0));
        return;
      case FrameKind.DATA:
        return; // raw transport frames have no meaning on an RPC connection
      default:
        throw new FrameError(CloseCode.PROTOCOL_ERROR, `frame kind 0x${kind.toString(16)} is not sent by clients`);
    }
  }

  private onCall(flags: number, id: number, payload: Buffer): void {
    let header: CallHeader;
    try {
      header = decodeCallHeader(payload, this.metadataCache);
    } catch (error) {
      this.refuse(id, error as RpcError);
      return;
    }
    const existing = this.calls.get(id);
    if (existing) {
      existing.fail(new RpcError(Status.INVALID_ARGUMENT, `call id ${id} was reused while its call was in flight`));
      return;
    }
    if (this.connection.state !== 'open') {
      this.refuse(id, new RpcError(Status.UNAVAILABLE, 'the server is shutting down; retry on another connection'));
      return;
    }
    const method = this.registry.get(header.method);
    if (!method) {
      this.refuse(id, new RpcError(Status.UNIMPLEMENTED, `no service on this server has a method ${header.method}`));
      return;
    }
    if (this.calls.size >= this.options.maxConcurrentCalls) {
      this.refuse(id, new RpcError(Status.RESOURCE_EXHAUSTED, `too many calls in flight on this connection (maxConcurrentCalls ${this.options.maxConcurrentCalls})`));
      return;
    }
    const message = header.message;
    if (message && message.length > this.options.maxRequestBytes) {
      this.refuse(id, new RpcError(Status.RESOURCE_EXHAUSTED, `request of ${message.length} bytes exceeds maxRequestBytes (${this.options.maxRequestBytes})`));
      return;
    }
    let request: unknown;
    const singleRequest = !method.definition.requestStream;
    if (singleRequest) {
      if (!message) {
        this.refuse(id, new RpcError(Status.INVALID_ARGUMENT, `${method.path} needs its request message in the CALL frame`));
        return;
      }
      try {
        request = method.definition.requestType.decode(message);
      } catch (error) {
        this.refuse(id, new RpcError(Status.INVALID_ARGUMENT, `request for ${method.path} is not valid protobuf: ${(error as Error).message}`));
        return;
      }
    }
    const deadline = header.timeoutMs > 0 ? Date.now() + header.timeoutMs : undefined;
    const context = new CallContext(method.path, header.metadata, deadline, this.peer, this.connection.id);
    const call = new ServerCall(id, method, context, this.connection, this.options, this.removeCall, header.timeoutMs);
    this.calls.set(id, call);
    this.connection.beginWork();
    call.start(request, singleRequest ? undefined : message, (flags & FrameFlag.END_STREAM) !== 0);
  }

  private refuse(id: number, error: RpcError): void {
    this.connection.send(FrameKind.STATUS, FrameFlag.END_STREAM, id, encodeCallStatus(error.code, error.message, error.details, error.metadata, undefined));
  }

  private onClose(info: CloseInfo): void {
    for (const call of [...this.calls.values()]) call.lost(info.reason);
  }
}
