// One open framed connection: decodes and encodes frames, answers PINGs, enforces timeouts and bounds.
import { EventEmitter } from 'node:events';
import type { ByteStream as Socket } from '../byte-stream';
import type { CloseInfo } from '../close-info';
import type { FrameConnectionEvents, GoawayInfo } from '../frame-connection-events';
import { ConnectionFlow } from '../connection-flow';
import { ConnectionLiveness, type LivenessHost } from './connection-liveness';
import type { FrameSink } from '../frame-sink';
import { NodeFrameDecoder, SPLIT_MESSAGES_FROM } from '../node/node-frame-decoder';
import { zlibCompressor } from '../node/zlib-compressor';
import type { PayloadEncoding } from '../../codec/payload-codec';
import { checkFrameShape } from '../../codec/frame-rules';
import { FrameWriter, negotiatedEncoding } from './frame-writer';
import { decodeGoaway, encodeGoaway } from '../../codec/goaway';
import type { MemoryBudget } from '../memory-budget';
import { OutboundQueue } from './outbound-queue';
import { PauseReason, ReadPause } from './read-pause';
import { InboundOpener } from './inbound-opener';
import { PingGuard } from './ping-guard';
import { QueuedCompression, type CompressChoice } from '../queued-compression';
import type { Preface } from '../../codec/preface';
import { afterWorkOrGrace, closeForFrameFailure } from './connection-endings';
import type { TransportOptions } from '../transport-options';
import { StreamScheduler } from '../stream-scheduler';
import { OutboundAdmission } from './outbound-admission';
import { CloseCode, FRAME_HEADER_BYTES, Feature, FrameFlag, FrameKind, PING_PAYLOAD_BYTES, WINDOW_PAYLOAD_BYTES } from '../../codec/wire';

import type { FrameTransport, FrameTransportState } from '../frame-transport';

export type { FrameConnectionEvents, GoawayInfo } from '../frame-connection-events';

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
export class FrameConnection extends EventEmitter<FrameConnectionEvents> implements FrameTransport, LivenessHost {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly peerStreamWindow: number;
  /** How this side encodes payloads for this peer (as negotiated). */
  readonly encoding: PayloadEncoding;
  private readonly inbound: InboundOpener;
  private readonly writer: FrameWriter;
  /** The compression choice of each message waiting in the scheduler. */
  private readonly queuedCompression = new QueuedCompression();
  private readonly decoder: NodeFrameDecoder;
  private readonly queue: OutboundQueue;
  private sink: FrameSink = NO_SINK;
  private stateValue: FrameConnectionState = 'open';
  private closeInfo: CloseInfo | undefined;
  private readonly readPause: ReadPause;
  private work = 0;
  private readonly liveness: ConnectionLiveness;
  private readonly pingGuard: PingGuard;
  private destroyTimer: NodeJS.Timeout | undefined;
  private started = false;
  private sentShutdown = false;
  private readonly admission: OutboundAdmission;
  private readonly isQueued = (streamId: number): boolean => this.scheduler.hasQueued(streamId);
  /** Connection-level windows, both directions. */
  readonly flow: ConnectionFlow;
  /** Sends flow-controlled messages in fragments, in turn, under `flow`. */
  readonly scheduler: StreamScheduler;
  /** Server side: the highest call id the RPC layer accepted; GOAWAY carries it (calls above it never ran). */
  lastAcceptedCallId = 0;
  /** When the last chunk arrived (performance.now() ms): the arrival time of the frames in it, read once per chunk. */
  receivedAt = 0;
  /** FrameTransport.pauseOnOwnBacklog: the RPC layer turns it off (two peers both pausing for their backlog would deadlock). */
  pauseOnOwnBacklog = true;

  constructor(
    /** Server-assigned id (unique per server), or 0 on the client side. */
    readonly id: number,
    readonly socket: Socket,
    readonly options: TransportOptions,
    peer: Preface,
    private leftover: Buffer,
    /** Shared by a server's connections: bytes held for calls, against one limit. */
    budget?: MemoryBudget,
  ) {
    super();
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.encoding = negotiatedEncoding(options, peer.features, zlibCompressor);
    this.inbound = new InboundOpener({
      opening: { xorKey: options.xorKey, acceptsCompressed: options.compression, maxBytes: options.maxFrameBytes, compressor: zlibCompressor },
      isReading: () => this.stateValue === 'open' || this.stateValue === 'draining',
      handle: (kind, flags, streamId, payload, receivedAt) => {
        this.receivedAt = receivedAt;
        this.handleFrame(kind, flags, streamId, payload);
      },
      holdReading: (held) => this.readPause.set(PauseReason.INFLATE, held),
      fail: (error) => this.failWith(error),
    });
    this.decoder = new NodeFrameDecoder(options.maxFrameBytes, this, SPLIT_MESSAGES_FROM);
    this.liveness = new ConnectionLiveness(this, options);
    this.pingGuard = new PingGuard(options);
    this.queue = new OutboundQueue(socket, options.flushThresholdBytes, options.flushThresholdFrames, () => this.onDrained());
    this.readPause = new ReadPause(socket);
    this.admission = new OutboundAdmission(this.queue, socket, options, this.readPause, (reason) => this.close(CloseCode.OUTBOUND_OVERFLOW, reason));
    // Frames held behind an asynchronous deflate went to the queue: as after a drain, pump and wake producers.
    const released = (): void => void (socket.writableNeedDrain || this.onDrained());
    this.writer = new FrameWriter(this.queue, this.encoding, (peer.features & Feature.COMPRESSION) !== 0, released, (error) => this.failWith(error));
    this.flow = new ConnectionFlow(options.connectionWindowBytes, peer.connectionWindow, budget, (bytes) => this.sendWindow(0, bytes));
    this.scheduler = new StreamScheduler(this, this.flow, options.fragmentHighWaterBytes, options.outboundHighWaterBytes, budget);
    this.peerStreamWindow = peer.streamWindow;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.finish({ code: CloseCode.CONNECTION_LOST, reason: `socket error: ${error.message}`, remote: true }));
    socket.on('close', () => this.finish({ code: CloseCode.CONNECTION_LOST, reason: 'the peer closed the connection', remote: true }));
  }

  get state(): FrameConnectionState {
    return this.stateValue;
  }

  /** Bytes queued for the peer and not yet sent (ours plus the socket's). */
  get outboundBytes(): number {
    return this.queue.totalBytes;
  }

  /** Bytes read from and written to the socket so far (preface and framing included). */
  get bytesRead(): number {
    return this.socket.bytesRead;
  }

  get bytesWritten(): number {
    return this.socket.bytesWritten;
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
    this.liveness.start();
    const leftover = this.leftover;
    this.leftover = Buffer.alloc(0);
    if (leftover.length > 0) this.onData(leftover);
    this.readPause.start();
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
    this.queuedCompression.record(streamId, compress, this.isQueued);
    this.scheduler.queueMessage(streamId, borrowed ? Buffer.from(bytes) : bytes, endStream);
  }

  /** A receive window for one call direction, as this side announced it. */
  get streamWindowBytes(): number {
    return this.options.streamWindowBytes;
  }

  /** SchedulerHost: like `send`, but a large plain payload is queued by reference (the scheduler never changes its bytes). */
  sendOwned(kind: number, flags: number, streamId: number, payload: Uint8Array, compress?: CompressChoice): boolean {
    if (compress === undefined && kind === FrameKind.MESSAGE) compress = this.queuedCompression.take(streamId, (flags & FrameFlag.MORE) === 0);
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
    this.queue.flush();
    return this.socket.writableNeedDrain;
  }

  /** True when `bytes` more could be queued without reaching `maxOutboundBytes`. */
  hasRoomFor(bytes: number): boolean {
    return this.admission.hasRoomFor(bytes);
  }

  /** Hands queued frames to the socket now rather than at the end of the tick. */
  flush(): void {
    this.queue.flush();
  }

  /** Stops reading from the peer (the application cannot keep up); `resumeReading` undoes it. */
  pauseReading(): void {
    this.readPause.set(PauseReason.APPLICATION, true);
  }

  resumeReading(): void {
    this.readPause.set(PauseReason.APPLICATION, false);
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
    this.liveness.stop();
    // After shutdown() the peer already has this GOAWAY; one is enough.
    if (!(wasDraining && code === CloseCode.SHUTTING_DOWN)) this.sendControl(FrameKind.GOAWAY, encodeGoaway(code, reason, this.lastAcceptedCallId));
    // Once frames held behind a deflate are queued, hand everything to the socket even under backpressure
    // (bounded by maxOutboundBytes): after end() no 'drain' comes, and the GOAWAY with the reason is last.
    this.writer.held.afterEmpty(() => {
      this.queue.flushAll();
      this.socket.end();
    });
    this.destroyTimer = setTimeout(() => this.socket.destroy(), this.options.closeTimeoutMs).unref();
  }

  /** DecodedFrameSink: a frame from the decoder, still obfuscated and compressed as sent; opened in order. */
  onFrame(kind: number, flags: number, streamId: number, payload: Buffer): void {
    this.inbound.receive(kind, flags, streamId, payload, this.receivedAt);
  }

  /** A frame as opened: control frames are handled here, application frames go to the sink. */
  private handleFrame(kind: number, flags: number, streamId: number, payload: Buffer): void {
    checkFrameShape(kind, flags, streamId, payload);
    if (kind === FrameKind.WINDOW && streamId === 0) {
      this.flow.granted(payload.readUInt32BE(0));
      this.scheduler.pump();
      return;
    }
    if (kind >= FrameKind.DATA) {
      this.liveness.active = true;
      this.sink.onFrame(kind, flags, streamId, payload);
      return;
    }
    if (kind === FrameKind.PING) {
      // A PONG counts toward the outbound bound like any frame: a peer that PINGs and never reads is closed.
      if (this.pingGuard.admit() && this.admit(FRAME_HEADER_BYTES + PING_PAYLOAD_BYTES)) this.sendControl(FrameKind.PONG, payload); // a flood throws TOO_MANY_PINGS
    } else if (kind === FrameKind.PONG) {
      this.liveness.pongReceived();
    } else {
      this.onGoaway(payload);
    }
  }

  private onGoaway(payload: Buffer): void {
    const { code, reason, lastCallId } = decodeGoaway(payload);
    const info: GoawayInfo = { code: code as CloseCode, reason, remote: true, lastCallId };
    this.closeInfo ??= { code: info.code, reason, remote: true };
    if (this.stateValue === 'open') this.stateValue = 'draining';
    this.emit('goaway', info);
  }

  private onData(chunk: Buffer): void {
    if (this.stateValue === 'closing' || this.stateValue === 'closed') return;
    this.receivedAt = performance.now();
    this.liveness.received = true;
    try {
      this.decoder.push(chunk);
    } catch (error) {
      this.failWith(error);
      return;
    }
    this.liveness.afterChunk(this.decoder.midFrame, this.decoder.framesDecoded);
  }

  private failWith(error: unknown): void {
    const { code, reason } = closeForFrameFailure(error);
    this.close(code, reason);
  }

  /** LivenessHost: the heartbeat's PING. */
  sendPing(payload: Buffer): void {
    this.sendControl(FrameKind.PING, payload);
  }

  /** Writes a control frame; GOAWAY bypasses the outbound bound (its reason must get through), PONG is admitted first. */
  private sendControl(kind: number, payload: Uint8Array): void {
    if (this.stateValue !== 'closed') this.writer.writeControl(kind, payload);
  }

  /** After an application frame was queued: activity for the idle clock, and the raw transport's read pause. */
  private queued(): void {
    this.liveness.active = true;
    if (this.pauseOnOwnBacklog) this.admission.afterQueued();
  }

  private admit(bytes: number): boolean {
    return this.admission.admit(bytes);
  }

  private onDrained(): void {
    this.admission.drained();
    this.scheduler.onDrain();
    this.emit('drain');
  }

  private finish(info: CloseInfo): void {
    if (this.stateValue === 'closed') return;
    this.stateValue = 'closed';
    this.readPause.stop();
    this.liveness.stop();
    clearTimeout(this.destroyTimer);
    this.writer.held.discard();
    this.queue.discard();
    this.scheduler.dispose();
    this.flow.dispose();
    this.admission.closed();
    if (!this.socket.destroyed) this.socket.destroy();
    this.emit('close', this.closeInfo ?? info);
  }
}
