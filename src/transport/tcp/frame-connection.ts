// One open framed connection: decodes and encodes frames, answers PINGs, enforces timeouts and bounds.
import type { ByteStream as Socket } from '../byte-stream';
import type { CloseInfo } from '../close-info';
import type { GoawayInfo } from '../frame-connection-events';
import type { FrameSink } from '../frame-sink';
import { NodeFrameDecoder, SPLIT_MESSAGES_FROM } from '../node/node-frame-decoder';
import type { PayloadEncoding } from '../../codec/payload-codec';
import { checkFrameShape } from '../../codec/frame-rules';
import { decodeGoaway, encodeGoaway } from '../../codec/goaway';
import type { MemoryBudget } from '../memory-budget';
import { PauseReason } from './read-pause';
import { InboundOpener, type InboundHost } from './inbound-opener';
import { PingGuard } from './ping-guard';
import { QueuedCompression, type CompressChoice } from '../queued-compression';
import type { Preface } from '../../codec/preface';
import { afterWorkOrGrace, closeForFrameFailure } from './connection-endings';
import type { TransportOptions } from '../transport-options';
import { ConnectionParts } from './connection-parts';
import { listenToSocket, type SocketOwner } from './socket-listeners';
import { encodingFor, openingFor } from './shared-codings';
import { CloseCode, FRAME_HEADER_BYTES, Feature, FrameFlag, FrameKind, PING_PAYLOAD_BYTES, WINDOW_PAYLOAD_BYTES } from '../../codec/wire';

import type { FrameTransport, FrameTransportState } from '../frame-transport';

export type { FrameConnectionEvents, GoawayInfo } from '../frame-connection-events';

/** Who keeps a table of connections (a server): told of the close before anyone else, without a listener per connection. */
export interface ConnectionOwner {
  connectionClosed(connection: FrameConnection): void;
}

/** Lifecycle of a connection: open, draining (GOAWAY sent or received, in-flight work finishing), closed. */
export type FrameConnectionState = FrameTransportState;

const NO_SINK: FrameSink = { onFrame() {} };
// Payloads at least this long (message fragments) are queued by reference instead of copied.
const ZERO_COPY_BYTES = 16 * 1024;

/**
 * A framed connection after its handshake. Application frames (anything but PING, PONG, GOAWAY and
 * WINDOW on stream 0) go to the sink, already de-obfuscated and inflated; control frames are handled here.
 * Flow-controlled messages go through `scheduler` under the connection window (`flow`); everything else
 * is bounded by `maxOutboundBytes`: past it the connection closes with OUTBOUND_OVERFLOW rather than grow.
 * Reading never pauses because of this side's own outbound queue (two peers doing so would deadlock).
 */
export class FrameConnection extends ConnectionParts implements FrameTransport, SocketOwner, InboundHost {
  readonly peerStreamWindow: number;
  /** How this side encodes payloads for this peer (as negotiated; shared by connections negotiating alike). */
  readonly encoding: PayloadEncoding;
  // Made on first use, like the parts in ConnectionParts: an idle connection needs none of them.
  private inbound: InboundOpener | undefined;
  /** The compression choice of each message waiting in the scheduler. */
  private queuedCompression: QueuedCompression | undefined;
  private decoder: NodeFrameDecoder | undefined;
  private pingGuard: PingGuard | undefined;
  private sink: FrameSink = NO_SINK;
  private stateValue: FrameConnectionState = 'open';
  private closeInfo: CloseInfo | undefined;
  private work = 0;
  private destroyTimer: NodeJS.Timeout | undefined;
  private started = false;
  private sentShutdown = false;
  private leftover: Buffer | undefined;
  /** Server side: the highest call id the RPC layer accepted; GOAWAY carries it (calls above it never ran). */
  lastAcceptedCallId = 0;
  /** When the last chunk arrived (performance.now() ms): the arrival time of the frames in it, read once per chunk. */
  receivedAt = 0;
  /** FrameTransport.pauseOnOwnBacklog: the RPC layer turns it off (two peers both pausing for their backlog would deadlock). */
  pauseOnOwnBacklog = true;

  constructor(
    /** Server-assigned id (unique per server), or 0 on the client side. */
    readonly id: number,
    socket: Socket,
    options: TransportOptions,
    peer: Preface,
    leftover: Buffer,
    /** Shared by a server's connections: bytes held for calls, against one limit. */
    budget?: MemoryBudget,
    private readonly owner?: ConnectionOwner,
  ) {
    super(socket, options, (peer.features & Feature.COMPRESSION) !== 0, peer.connectionWindow, budget);
    // Read once now: a Node socket then keeps its peer's address, which it no longer knows once closed.
    void socket.remoteAddress;
    this.encoding = encodingFor(options, peer.features);
    this.peerStreamWindow = peer.streamWindow;
    if (leftover.length > 0) this.leftover = leftover;
    socket.setNoDelay(true);
    listenToSocket(socket, this);
  }

  /** The peer's address and port (kept by the socket: no copy per connection). */
  get remoteAddress(): string {
    return this.socket.remoteAddress ?? '';
  }

  get remotePort(): number {
    return this.socket.remotePort ?? 0;
  }

  get state(): FrameConnectionState {
    return this.stateValue;
  }

  /** True while new frames may be sent. */
  get writable(): boolean {
    return this.stateValue === 'open' || this.stateValue === 'draining';
  }

  /** Sets who receives application frames (if given) and starts reading, once. */
  start(sink?: FrameSink): void {
    if (sink) this.sink = sink;
    if (this.started) return;
    this.started = true;
    this.startLiveness();
    const leftover = this.leftover;
    this.leftover = undefined;
    if (leftover) this.onSocketData(leftover);
    this.startReading();
  }

  /** FrameTransport.send; `compress` overrides the connection's rule for this frame (never towards a peer that did not accept it). */
  send(kind: number, flags: number, streamId: number, payload: Uint8Array, compress?: CompressChoice): boolean {
    if (!this.writable || !this.admit(FRAME_HEADER_BYTES + payload.length)) return false;
    this.writer.write(kind, flags, streamId, payload, compress);
    this.queued();
    return true;
  }

  /** FrameTransport.reserveFrame: the payload is written in place, then `commitFrame()` in the same synchronous block. */
  reserveFrame(kind: number, flags: number, streamId: number, payloadLength: number): Buffer | undefined {
    if (payloadLength >= this.encoding.compressMinBytes || !this.writable) return undefined;
    if (!this.admit(FRAME_HEADER_BYTES + payloadLength)) return undefined;
    return this.writer.reserve(kind, flags, streamId, payloadLength);
  }

  /** Where the payload of the frame reserved by `reserveFrame` starts. */
  get reservedOffset(): number {
    return this.writer.reservedOffset;
  }

  /** Queues the frame reserved by `reserveFrame`, its payload now written. */
  commitFrame(): void {
    this.writer.commit();
    this.queued();
  }

  /** FrameTransport.sendEncoded; with `deferFlush` the frame waits for `flush()` (or an early-flush threshold). */
  sendEncoded(frame: Uint8Array, deferFlush = false): boolean {
    if (!this.writable) return false;
    if (!this.admit(frame.length)) return false;
    this.writer.append(frame, deferFlush);
    this.queued();
    return true;
  }

  /** FrameTransport.whenWritable: producers of streams await it so they never outrun a slow peer. */
  whenWritable(): Promise<void> {
    return this.admission.whenWritable(this.writable);
  }

  /** Sends a WINDOW frame granting `bytes` more on `streamId` (0: the whole connection). */
  sendWindow(streamId: number, bytes: number): void {
    const payload = Buffer.allocUnsafe(WINDOW_PAYLOAD_BYTES);
    payload.writeUInt32BE(bytes, 0);
    this.send(FrameKind.WINDOW, 0, streamId, payload);
  }

  /** FrameTransport.sendMessage: one frame now when credit and room allow, else queued (copied first when `borrowed`). */
  sendMessage(streamId: number, bytes: Uint8Array, endStream: boolean, borrowed: boolean, compress?: CompressChoice): void {
    if (!this.writable) return;
    if (this.scheduler.trySendNow(streamId, bytes.length)) {
      if (borrowed) this.send(FrameKind.MESSAGE, endStream ? FrameFlag.END_STREAM : 0, streamId, bytes, compress);
      else this.sendOwned(FrameKind.MESSAGE, endStream ? FrameFlag.END_STREAM : 0, streamId, bytes, compress);
      return;
    }
    (this.queuedCompression ??= new QueuedCompression()).record(streamId, compress, this.scheduler);
    this.scheduler.queueMessage(streamId, borrowed ? Buffer.from(bytes) : bytes, endStream);
  }

  /** A receive window for one call direction, as this side announced it. */
  get streamWindowBytes(): number {
    return this.options.streamWindowBytes;
  }

  /** SchedulerHost: like `send`, but a large plain payload is queued by reference (the scheduler never changes its bytes). */
  sendOwned(kind: number, flags: number, streamId: number, payload: Uint8Array, compress?: CompressChoice): boolean {
    if (compress === undefined && kind === FrameKind.MESSAGE && this.queuedCompression) compress = this.queuedCompression.take(streamId, (flags & FrameFlag.MORE) === 0);
    if (payload.length < ZERO_COPY_BYTES || !this.writer.canWriteByReference(payload.length, compress) || !this.writable) {
      return this.send(kind, flags, streamId, payload, compress);
    }
    if (!this.admit(FRAME_HEADER_BYTES + payload.length)) return false;
    this.writer.writeByReference(kind, flags, streamId, payload);
    this.queued();
    return true;
  }

  /** SchedulerHost: hands queued bytes to the socket; true when the socket asked to wait for 'drain'. */
  flushForDrain(): boolean {
    if (!this.writable) return false;
    this.queueValue?.flush();
    return this.socket.writableNeedDrain;
  }

  /** Stops reading from the peer (the application cannot keep up); `resumeReading` undoes it. */
  pauseReading(): void {
    this.setReadPause(PauseReason.APPLICATION, true);
  }

  resumeReading(): void {
    this.setReadPause(PauseReason.APPLICATION, false);
  }

  /** Marks a unit of in-flight work (an RPC call): graceful shutdown waits for it. */
  beginWork(): void {
    this.work++;
  }

  endWork(): void {
    if (--this.work === 0) this.emit('idle');
  }

  /** Units of in-flight work. */
  get workInFlight(): number {
    return this.work;
  }

  /** FrameTransport.shutdown: GOAWAY SHUTTING_DOWN (no new work), then close once work ends or `graceMs` passes. */
  shutdown(graceMs: number, reason = 'server shutting down'): Promise<void> {
    if (this.stateValue === 'closed') return Promise.resolve();
    const closed = new Promise<void>((resolve) => this.once('close', () => resolve()));
    if (this.stateValue === 'open') {
      this.stateValue = 'draining';
      this.sentShutdown = true;
      this.sendControl(FrameKind.GOAWAY, encodeGoaway(CloseCode.SHUTTING_DOWN, reason, this.lastAcceptedCallId));
      this.queue.flush();
    }
    afterWorkOrGrace(this, graceMs, () => this.close(CloseCode.SHUTTING_DOWN, reason));
    return closed;
  }

  /** Sends GOAWAY with the reason, ends the socket, and destroys it if the peer has not closed in `closeTimeoutMs`. */
  close(code: CloseCode = CloseCode.NORMAL, reason = 'closed by the application'): void {
    if (this.stateValue === 'closing' || this.stateValue === 'closed') return;
    const wasDraining = this.stateValue === 'draining' && this.sentShutdown;
    this.stateValue = 'closing';
    this.closeInfo = { code, reason, remote: false };
    this.stopLiveness();
    // After shutdown() the peer already has this GOAWAY; one is enough.
    if (!(wasDraining && code === CloseCode.SHUTTING_DOWN)) this.sendControl(FrameKind.GOAWAY, encodeGoaway(code, reason, this.lastAcceptedCallId));
    // Once frames held behind a deflate are queued, hand everything to the socket even under backpressure
    // (bounded by maxOutboundBytes): after end() no 'drain' comes, and the GOAWAY with the reason is last.
    this.writer.afterHeldEmpty(() => {
      this.queue.flushAll();
      this.socket.end();
    });
    this.destroyTimer = setTimeout(() => this.socket.destroy(), this.options.closeTimeoutMs).unref();
  }

  /** DecodedFrameSink: a frame from the decoder, still obfuscated and compressed as sent; opened in order. */
  onFrame(kind: number, flags: number, streamId: number, payload: Buffer): void {
    (this.inbound ??= new InboundOpener(this, openingFor(this.options))).receive(kind, flags, streamId, payload, this.receivedAt);
  }

  /** InboundHost: frames are opened and handled while this side still reads. */
  isReading(): boolean {
    return this.stateValue === 'open' || this.stateValue === 'draining';
  }

  /** InboundHost: a frame as opened (de-obfuscated, inflated). */
  openedFrame(kind: number, flags: number, streamId: number, payload: Buffer, receivedAt: number): void {
    this.receivedAt = receivedAt;
    this.handleFrame(kind, flags, streamId, payload);
  }

  /** InboundHost: reading stops while a large frame inflates. */
  holdReading(held: boolean): void {
    this.setReadPause(PauseReason.INFLATE, held);
  }

  /** A frame as opened: control frames are handled here, application frames go to the sink. */
  private handleFrame(kind: number, flags: number, streamId: number, payload: Buffer): void {
    checkFrameShape(kind, flags, streamId, payload);
    if (kind === FrameKind.WINDOW && streamId === 0) {
      this.flow.granted(payload.readUInt32BE(0));
      this.schedulerValue?.pump(); // nothing can be queued before the scheduler exists
      return;
    }
    if (kind >= FrameKind.DATA) {
      this.active = true;
      this.sink.onFrame(kind, flags, streamId, payload);
      return;
    }
    if (kind === FrameKind.PING) {
      // A PONG counts toward the outbound bound like any frame: a peer that PINGs and never reads is closed.
      if ((this.pingGuard ??= new PingGuard(this.options)).admit() && this.admit(FRAME_HEADER_BYTES + PING_PAYLOAD_BYTES)) this.sendControl(FrameKind.PONG, payload); // a flood throws TOO_MANY_PINGS
    } else if (kind === FrameKind.PONG) {
      // Nothing more to do: the chunk it came in already counted as received for the heartbeat.
    } else {
      this.onGoaway(payload);
    }
  }

  private onGoaway(payload: Buffer): void {
    const { code, reason, lastCallId } = decodeGoaway(payload);
    const info: GoawayInfo = { code: code as CloseCode, reason, remote: true, lastCallId };
    this.closeInfo ??= { code: info.code, reason, remote: true };
    if (this.stateValue === 'open') this.stateValue = 'draining';
    this.sink.onConnectionGoaway?.(info);
    this.emit('goaway', info);
  }

  /** SocketOwner: a chunk arrived. */
  onSocketData(chunk: Buffer): void {
    if (this.stateValue === 'closing' || this.stateValue === 'closed') return;
    this.receivedAt = performance.now();
    this.received = true;
    const decoder = (this.decoder ??= new NodeFrameDecoder(this.options.maxFrameBytes, this, SPLIT_MESSAGES_FROM));
    try {
      decoder.push(chunk);
    } catch (error) {
      this.failWith(error);
      return;
    }
    this.afterChunk(decoder.midFrame, decoder.framesDecoded);
  }

  /** SocketOwner. */
  onSocketError(error: Error): void {
    this.finish({ code: CloseCode.CONNECTION_LOST, reason: `socket error: ${error.message}`, remote: true });
  }

  /** SocketOwner. */
  onSocketClose(): void {
    this.finish({ code: CloseCode.CONNECTION_LOST, reason: 'the peer closed the connection', remote: true });
  }

  /** Closes the connection for an error thrown while handling received bytes (a FrameError or our bug). */
  failWith(error: unknown): void {
    const { code, reason } = closeForFrameFailure(error);
    this.close(code, reason);
  }

  /** The heartbeat's PING. */
  sendPing(payload: Buffer): void {
    this.sendControl(FrameKind.PING, payload);
  }

  /** Writes a control frame; GOAWAY bypasses the outbound bound (its reason must get through), PONG is admitted first. */
  private sendControl(kind: number, payload: Uint8Array): void {
    if (this.stateValue !== 'closed') this.writer.writeControl(kind, payload);
  }

  /** After an application frame was queued: activity for the idle clock, and the raw transport's read pause. */
  private queued(): void {
    this.active = true;
    if (this.pauseOnOwnBacklog) this.admission.afterQueued();
  }

  private admit(bytes: number): boolean {
    return this.admission.admit(bytes);
  }

  private finish(info: CloseInfo): void {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'closed';
    this.reading = false; // the socket is left alone from now on
    this.stopLiveness();
    clearTimeout(this.destroyTimer);
    this.writerValue?.discardHeld();
    this.queueValue?.discard();
    this.schedulerValue?.dispose();
    this.flowValue?.dispose();
    this.admissionValue?.closed();
    if (!this.socket.destroyed) this.socket.destroy();
    const closed = this.closeInfo ?? info;
    this.owner?.connectionClosed(this);
    this.sink.onConnectionClose?.(closed);
    this.emit('close', closed);
  }
}
