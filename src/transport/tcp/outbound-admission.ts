// Outbound bounds of one connection: admission under maxOutboundBytes, waiting until writable, the raw transport's read pause.
import type { ByteStream } from '../byte-stream';
import type { TransportOptions } from '../transport-options';
import { WaiterList } from '../waiter-list';
import type { OutboundQueue } from './outbound-queue';
import { PauseReason, type ReadPauses } from './read-pause';
import { CloseCode } from '../../codec/wire';

const RESOLVED = Promise.resolve();

/** The connection, closed with OUTBOUND_OVERFLOW when a frame would pass `maxOutboundBytes`. */
export interface OverflowHost {
  close(code: CloseCode, reason: string): void;
}

/**
 * Decides whether a frame may be queued (past `maxOutboundBytes` the connection closes with
 * OUTBOUND_OVERFLOW rather than grow), wakes producers waiting for room, and (raw transport only) stops
 * reading while this side's own backlog is over `outboundHighWaterBytes`.
 */
export class OutboundAdmission {
  /** Producers waiting for room; made by the first that has to wait. */
  private writableWaiters: WaiterList<void> | undefined;

  constructor(
    private readonly queue: OutboundQueue,
    private readonly socket: ByteStream,
    private readonly options: TransportOptions,
    private readonly readPause: ReadPauses,
    private readonly host: OverflowHost,
  ) {}

  /** True when `bytes` more may be queued; else the connection is closed (overflow) and false. */
  admit(bytes: number): boolean {
    if (this.queue.totalBytes + bytes <= this.options.maxOutboundBytes) return true;
    this.host.close(CloseCode.OUTBOUND_OVERFLOW, `outbound buffer would pass maxOutboundBytes (${this.options.maxOutboundBytes}): the peer is not reading`);
    return false;
  }

  /** True when `bytes` more could be queued without reaching `maxOutboundBytes`. */
  hasRoomFor(bytes: number): boolean {
    return this.queue.totalBytes + bytes <= this.options.maxOutboundBytes;
  }

  /** See FrameConnection.whenWritable; `writable`: the connection still takes frames. */
  whenWritable(writable: boolean): Promise<void> {
    if (this.queue.totalBytes <= this.options.outboundHighWaterBytes || !writable) return RESOLVED;
    // Bytes still waiting for the end-of-tick flush get no 'drain' if the socket takes them at once.
    this.queue.flush();
    if (!this.socket.writableNeedDrain) return RESOLVED;
    // One list, woken by 'drain' or close: listener counts do not grow with the number of waiting producers.
    return (this.writableWaiters ??= new WaiterList<void>()).wait();
  }

  /** Raw transport, after a frame was queued: pause reading while our own backlog is over the high-water mark. */
  afterQueued(): void {
    if (this.readPause.hasReadPause(PauseReason.BACKLOG)) return;
    if (this.queue.totalBytes <= this.options.outboundHighWaterBytes) return;
    // Only the socket's 'drain' resumes reading, so pause only once the socket owes us one: hand it the
    // queue now; if it took everything without asking to wait, there is nothing to wait for.
    this.queue.flush();
    if (this.socket.writableNeedDrain) this.readPause.setReadPause(PauseReason.BACKLOG, true);
  }

  /** Everything queued was handed to the socket after backpressure (or the connection closed): wake everyone. */
  drained(): void {
    this.readPause.setReadPause(PauseReason.BACKLOG, false);
    this.writableWaiters?.resolveAll();
  }

  /** The connection closed: release waiting producers. */
  closed(): void {
    this.writableWaiters?.resolveAll();
  }
}
