// Many calls on one connection: assigns call ids, routes each response frame to its call, fails all on loss.
import type { CloseInfo } from '../transport/close-info';
import type { FrameSink } from '../transport/frame-decoder';
import type { FrameConnection } from '../transport/frame-connection';
import { FrameError } from '../transport/frame-error';
import { FrameKind } from '../transport/wire';
import { decodeCallStatus, OK_WITH_MESSAGE_PREFIX } from '../rpc/call-status';
import { Status } from '../rpc/status';
import { failCallAfterCrash } from './call-crash';
import type { ClientCall } from './client-call';
import type { ResolvedChannelOptions } from './channel-options';
import { checkPushFraming } from './push-framing';

/** Receives server pushes (PUSH frames) arriving on this connection. */
export type PushSink = (flags: number, topicId: number, payload: Buffer) => void;

const MAX_CALL_ID = 0xffff_ffff;

/** The calls in flight on one connection, by id. Answers may arrive in any order. */
export class Multiplexer implements FrameSink {
  private readonly calls = new Map<number, ClientCall>();
  private nextId = 1;
  pushSink: PushSink | undefined;

  constructor(
    readonly connection: FrameConnection,
    readonly options: ResolvedChannelOptions,
  ) {
    connection.once('close', (info) => this.onClose(info));
  }

  /** True while new calls may start here (not draining, not closed). */
  get acceptsCalls(): boolean {
    return this.connection.state === 'open';
  }

  get callsInFlight(): number {
    return this.calls.size;
  }

  /** Assigns the call an id unused on this connection and tracks it. */
  add(call: ClientCall): number {
    let id = this.nextId;
    while (this.calls.has(id)) id = id === MAX_CALL_ID ? 1 : id + 1;
    this.nextId = id === MAX_CALL_ID ? 1 : id + 1;
    call.id = id;
    this.calls.set(id, call);
    return id;
  }

  remove(call: ClientCall): void {
    if (this.calls.get(call.id) === call) this.calls.delete(call.id);
  }

  onFrame(kind: number, flags: number, id: number, payload: Buffer): void {
    try {
      this.route(kind, flags, id, payload);
    } catch (error) {
      if (error instanceof FrameError) throw error; // the peer broke the protocol: the connection closes
      failCallAfterCrash(kind === FrameKind.PUSH ? undefined : this.calls.get(id), kind, error);
    }
  }

  private route(kind: number, flags: number, id: number, payload: Buffer): void {
    if (kind === FrameKind.PUSH) {
      checkPushFraming(id, payload); // malformed closes the connection, listener or not
      this.pushSink?.(flags, id, payload);
      return;
    }
    const call = this.calls.get(id);
    if (!call) return; // the call ended locally (deadline, abort) before its answer came
    switch (kind) {
      case FrameKind.STATUS: {
        if (isPlainOkWithMessage(payload)) {
          call.onOkMessage(payload.subarray(OK_WITH_MESSAGE_PREFIX.length));
          return;
        }
        let status;
        try {
          status = decodeCallStatus(payload);
        } catch (error) {
          call.fail(Status.INTERNAL, (error as Error).message);
          return;
        }
        call.onStatus(status);
        return;
      }
      case FrameKind.MESSAGE:
        call.onMessage(payload);
        return;
      case FrameKind.HEADERS:
        call.onHeaders(payload);
        return;
      case FrameKind.WINDOW:
        if (payload.length === 4) call.onWindow(payload.readUInt32BE(0));
        return;
      default:
        return;
    }
  }

  private onClose(info: CloseInfo): void {
    for (const call of [...this.calls.values()]) call.fail(Status.UNAVAILABLE, `connection closed: ${info.reason}`);
  }
}

/** The common unary reply: OK, HAS_MESSAGE, no text, details or trailers (8 fixed bytes), then the message. */
function isPlainOkWithMessage(payload: Buffer): boolean {
  return payload.length >= 8 && payload[0] === 0 && payload[1] === 1 && payload[2] === 0 && payload[3] === 0 &&
    payload[4] === 0 && payload[5] === 0 && payload[6] === 0 && payload[7] === 0;
}
