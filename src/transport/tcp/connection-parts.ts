// The parts of a framed connection made on first use: an idle connection holds none of them.
import type { ByteStream } from '../byte-stream';
import { ConnectionFlow, type WindowSender } from '../connection-flow';
import type { MemoryBudget } from '../memory-budget';
import { StreamScheduler, type SchedulerHost } from '../stream-scheduler';
import type { TransportOptions } from '../transport-options';
import type { CompressChoice, PayloadEncoding } from '../../codec/payload-codec';
import { ConnectionLiveness } from './connection-liveness';
import { FrameWriter, type FrameWriterHost } from './frame-writer';
import { OutboundAdmission, type OverflowHost } from './outbound-admission';
import { OutboundQueue } from './outbound-queue';
import { applyReadPause, type ReadPauses } from './read-pause';

/**
 * Base of FrameConnection. The flow windows, the stream scheduler and the outbound queue with its writer
 * and admission are made the first time they are needed, so 50,000 idle connections do not each carry
 * them; each part is handed the connection itself as its host (no closures per connection).
 */
export abstract class ConnectionParts extends ConnectionLiveness implements SchedulerHost, WindowSender, FrameWriterHost, OverflowHost, ReadPauses {
  /** How this side encodes payloads for this peer (as negotiated; shared by connections negotiating alike). */
  abstract readonly encoding: PayloadEncoding;
  /** Reasons reading is paused (PauseReason bits); applied to the socket once `reading`. */
  private pauseReasons = 0;
  protected reading = false;
  protected queueValue: OutboundQueue | undefined;
  protected writerValue: FrameWriter | undefined;
  protected admissionValue: OutboundAdmission | undefined;
  protected flowValue: ConnectionFlow | undefined;
  protected schedulerValue: StreamScheduler | undefined;

  constructor(
    readonly socket: ByteStream,
    options: TransportOptions,
    /** The peer's preface had COMPRESSION: a per-frame choice to compress may be honoured. */
    private readonly peerAcceptsCompressed: boolean,
    /** The peer's receive window: this side's initial send credit. */
    private readonly peerConnectionWindow: number,
    /** Shared by a server's connections: bytes held for calls, against one limit. */
    private readonly budget: MemoryBudget | undefined,
  ) {
    super(options);
    // EventEmitter starts every emitter with an empty null-prototype listener table, which V8 keeps as a
    // dictionary (~180 bytes). Most connections never get a listener: the table is made by the first `on`
    // instead (EventEmitter's own methods all accept an emitter without one, as before `init` ran).
    (this as unknown as { _events: object | undefined })._events = undefined;
  }

  /** Connection-level windows, both directions. */
  get flow(): ConnectionFlow {
    return (this.flowValue ??= new ConnectionFlow(this.options.connectionWindowBytes, this.peerConnectionWindow, this.budget, this));
  }

  /** Sends flow-controlled messages in fragments, in turn, under `flow`. */
  get scheduler(): StreamScheduler {
    return (this.schedulerValue ??= new StreamScheduler(this, this.flow, this.options.fragmentHighWaterBytes, this.options.outboundHighWaterBytes, this.budget));
  }

  protected get queue(): OutboundQueue {
    return (this.queueValue ??= new OutboundQueue(this.socket, this.options.flushThresholdBytes, this.options.flushThresholdFrames));
  }

  protected get writer(): FrameWriter {
    return (this.writerValue ??= new FrameWriter(this.queue, this.encoding, this.peerAcceptsCompressed, this));
  }

  protected get admission(): OutboundAdmission {
    return (this.admissionValue ??= new OutboundAdmission(this.queue, this.socket, this.options, this, this));
  }

  /** ReadPauses. */
  hasReadPause(reason: number): boolean {
    return (this.pauseReasons & reason) !== 0;
  }

  /** ReadPauses. */
  setReadPause(reason: number, paused: boolean): void {
    const before = this.pauseReasons;
    this.pauseReasons = paused ? before | reason : before & ~reason;
    if (this.reading) applyReadPause(this.socket, before, this.pauseReasons);
  }

  /** Reading starts (the connection started): the socket reads unless a reason holds it. */
  protected startReading(): void {
    this.reading = true;
    if (this.pauseReasons === 0) this.socket.resume();
  }

  /** Bytes queued for the peer and not yet sent (ours plus the socket's). */
  get outboundBytes(): number {
    return this.queueValue === undefined ? this.socket.writableLength : this.queueValue.totalBytes;
  }

  /** Bytes read from and written to the socket so far (preface and framing included). */
  get bytesRead(): number {
    return this.socket.bytesRead;
  }

  get bytesWritten(): number {
    return this.socket.bytesWritten;
  }

  /** True when `bytes` more could be queued without reaching `maxOutboundBytes`. */
  hasRoomFor(bytes: number): boolean {
    return this.admission.hasRoomFor(bytes);
  }

  /** Hands queued frames to the socket now rather than at the end of the tick. */
  flush(): void {
    this.queueValue?.flush();
  }

  /** SocketOwner: after backpressure, hand the socket what waited; once all went, wake everyone. */
  onSocketDrain(): void {
    if (this.queueValue?.drained() !== false) this.onDrained();
  }

  /** FrameWriterHost: frames held behind an asynchronous deflate went to the queue: as after a drain, pump and wake producers. */
  heldReleased(): void {
    if (!this.socket.writableNeedDrain) this.onDrained();
  }

  protected onDrained(): void {
    this.admissionValue?.drained();
    this.schedulerValue?.onDrain();
    this.emit('drain');
  }

  abstract sendOwned(kind: number, flags: number, streamId: number, payload: Uint8Array, compress?: CompressChoice): boolean;
  abstract flushForDrain(): boolean;
  abstract sendWindow(streamId: number, bytes: number): void;
  abstract failWith(error: unknown): void;
}
