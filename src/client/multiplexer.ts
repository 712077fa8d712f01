// Many calls on one connection: assigns call ids, routes each response frame to its call, fails all on loss.
import type { CloseInfo } from '../transport/close-info';
import type { FrameSink } from '../transport/frame-sink';
import type { GoawayInfo } from '../transport/frame-connection-events';
import type { FrameTransport as FrameConnection } from '../transport/frame-transport';
import { FrameError } from '../codec/frame-error';
import { FrameKind } from '../codec/wire';
import { decodeCallStatus, OK_WITH_MESSAGE_PREFIX } from '../rpc/call-status';
import { Status } from '../rpc/status';
import { failCallAfterCrash } from './call-crash';
import type { MultiplexedCall } from './multiplexed-call';
import type { ResolvedChannelOptions } from './channel-options';
import { checkPushFraming } from './push-framing';

/** Receives server pushes (PUSH frames) arriving on this connection. */
export type PushSink = (flags: number, topicId: number, payload: Buffer) => void;

const MAX_CALL_ID = 0xffff_ffff;
// A retired connection's last calls get this long to finish.
const RETIRE_GRACE_MS = 30_000;

/** The calls in flight on one connection, by id. Answers may arrive in any order. */
export class Multiplexer implements FrameSink {
  private readonly calls = new Map<number, MultiplexedCall>();
  private nextId = 1;
  private pushSink: PushSink | undefined;

  constructor(
    readonly connection: FrameConnection,
    readonly options: ResolvedChannelOptions,
  ) {
    connection.once('close', (info) => this.onClose(info));
    connection.once('goaway', (info) => this.onGoaway(info));
  }

  /**
   * Registers the receiver of this connection's PUSH frames (one per connection: the channel's push
   * router); returns the function that removes it. Frames are checked before any receiver sees them.
   */
  onPush(sink: PushSink): () => void {
    if (this.pushSink) throw new Error('this connection already has a push receiver; remove it first (the function onPush returned)');
    this.pushSink = sink;
    return () => {
      if (this.pushSink === sink) this.pushSink = undefined;
    };
  }

  /** True while new calls may start here (not draining, not closed). */
  get acceptsCalls(): boolean {
    return this.connection.state === 'open';
  }

  get callsInFlight(): number {
    return this.calls.size;
  }

  /**
   * Assigns the call the next id and tracks it. Ids only increase on a connection (the server checks, and
   * GOAWAY's last accepted id relies on it); after 2^32-1 calls the connection is retired: it takes no
   * more calls and the channel opens another.
   */
  add(call: MultiplexedCall): number {
    const id = this.nextId++;
    if (id === MAX_CALL_ID) this.connection.shutdown(RETIRE_GRACE_MS, 'call ids exhausted on this connection').catch(() => undefined);
    call.id = id;
    this.calls.set(id, call);
    return id;
  }

  remove(call: MultiplexedCall): void {
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
    const flow = this.connection.flow;
    const call = this.calls.get(id);
    switch (kind) {
      case FrameKind.STATUS: {
        if (isPlainOkWithMessage(payload)) {
          const length = payload.length - OK_WITH_MESSAGE_PREFIX.length;
          flow.received(length);
          if (call) call.onOkMessage(payload, OK_WITH_MESSAGE_PREFIX.length);
          else flow.release(length); // the call ended locally (deadline, abort) before its answer came
          return;
        }
        let status;
        try {
          status = decodeCallStatus(payload);
        } catch (error) {
          call?.fail(Status.INTERNAL, (error as Error).message);
          return;
        }
        if (status.message) flow.received(status.message.length);
        if (call) call.onStatus(status);
        else if (status.message) flow.release(status.message.length);
        return;
      }
      case FrameKind.MESSAGE:
        flow.received(payload.length);
        if (call) call.onMessage(payload, flags);
        else flow.release(payload.length);
        return;
      case FrameKind.HEADERS:
        call?.onHeaders(payload);
        return;
      case FrameKind.WINDOW:
        call?.onWindow(payload.readUInt32BE(0)); // size checked by the transport
        return;
      default:
        return;
    }
  }

  /** The server is going away: calls above its last accepted id never ran, and are retried or failed as such. */
  private onGoaway(info: GoawayInfo): void {
    for (const call of [...this.calls.values()]) {
      if (call.id > info.lastCallId) call.notProcessed(`GOAWAY ${info.reason}: last call accepted ${info.lastCallId}`);
    }
  }

  private onClose(info: CloseInfo): void {
    for (const call of [...this.calls.values()]) call.fail(Status.UNAVAILABLE, `connection closed: ${info.reason}`);
  }
}

/** The common unary reply: OK, HAS_MESSAGE, no text, details or trailers (8 fixed bytes), then the message. */
function isPlainOkWithMessage(payload: Buffer): boolean {
  return payload.length >= 8 && payload[0] === 0 && payload[1] === 1 && payload[2] === 0 && payload[3] === 0 && payload[4] === 0 && payload[5] === 0 && payload[6] === 0 && payload[7] === 0;
}
