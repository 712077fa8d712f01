// Merge-then-send: frames queued in one event-loop pass leave in one socket write, honouring 'drain'.
import type { ByteStream as Socket } from '../byte-stream';
import { scheduleFlush, type ScheduledFlush } from './flush-scheduler';

// Chunks grow (doubling) for connections that fill them and shrink for quiet ones, so a server with
// thousands of mostly idle connections does not hold a large chunk for each.
const MIN_CHUNK_BYTES = 4 * 1024;
const MAX_CHUNK_BYTES = 64 * 1024;
const EMPTY = Buffer.alloc(0);
// Shared bytes at least this long are queued by reference: below it, a copy costs less than another buffer to write.
const APPEND_BY_REFERENCE_BYTES = 1024;

/**
 * Frames are written into a shared chunk (headers written in place, payloads copied once), and the
 * region written since the last flush is handed to the socket as one buffer. The chunk is bump-allocated:
 * a flushed region stays owned by the socket while later frames go after it, so nothing is reused early.
 * The first write of an event-loop pass schedules one flush at the end of the pass (flush-scheduler.ts);
 * `flushThresholdFrames` and `flushThresholdBytes` flush early so the peer starts working while we are
 * still producing (one write per pass alone makes the two sides take turns, each idle half the time). While the socket reports backpressure, flushed regions
 * wait here (counted in `queuedBytes`) until 'drain', which the owner passes on by calling `drained()` (the
 * queue adds no listener of its own: one shared listener per event serves every connection).
 */
export class OutboundQueue implements ScheduledFlush {
  private chunk: Buffer = EMPTY;
  private start = 0;
  private used = 0;
  /** Regions flushed while the socket applied backpressure, and payloads queued by reference; created on first use. */
  private parked: Buffer[] | undefined;
  private parkedBytes = 0;
  private framesSinceFlush = 0;
  private scheduled = false;
  private blocked = false;
  private closed = false;
  private chunkBytes = MIN_CHUNK_BYTES;
  /** Bytes written into chunks since the last end-of-pass flush: what tells a quiet connection from a busy one. */
  private passBytes = 0;
  /** Bytes of frames held behind an asynchronous deflate (held-frames.ts), counted as outbound. */
  heldBytes = 0;

  constructor(
    private readonly socket: Socket,
    private readonly flushThresholdBytes: number,
    private readonly flushThresholdFrames: number,
  ) {}

  /** The socket emitted 'drain': hands it what waited; true when everything went (no new backpressure). */
  drained(): boolean {
    this.blocked = false;
    this.flush();
    return !this.blocked;
  }

  /** Bytes waiting here, not yet handed to the socket. */
  get queuedBytes(): number {
    return this.parkedBytes + (this.used - this.start);
  }

  /** Bytes queued here plus those the socket itself still holds. */
  get totalBytes(): number {
    return this.queuedBytes + this.socket.writableLength + this.heldBytes;
  }

  /** Returns the chunk and offset where `length` bytes may be written; call `commit()` after writing them. */
  reserve(length: number): Buffer {
    if (this.chunk.length - this.used < length) {
      this.park();
      if (this.chunk.length > 0) this.chunkBytes = Math.min(MAX_CHUNK_BYTES, this.chunkBytes * 2); // it filled up
      this.chunk = Buffer.allocUnsafeSlow(Math.max(this.chunkBytes, length));
      this.start = 0;
      this.used = 0;
    }
    return this.chunk;
  }

  /** Offset of the next reserved byte in the chunk returned by `reserve`. */
  get offset(): number {
    return this.used;
  }

  /**
   * Marks `length` reserved bytes as written and schedules their flush (unless `deferFlush`: then the
   * caller flushes later itself; the byte threshold still applies, the frame count does not: a caller that
   * defers wants many small frames in one write).
   */
  commit(length: number, deferFlush = false): void {
    this.used += length;
    this.passBytes += length;
    if ((!deferFlush && ++this.framesSinceFlush >= this.flushThresholdFrames) || this.queuedBytes >= this.flushThresholdBytes) {
      this.flush();
    } else if (!this.scheduled && !deferFlush) {
      this.scheduled = true;
      scheduleFlush(this);
    }
  }

  /**
   * Queues `bytes` by reference, after what was written so far: no copy (for large payloads the caller
   * will not change until they are written). Counted and flushed like the rest.
   */
  appendRef(bytes: Uint8Array): void {
    this.park();
    (this.parked ??= []).push(bytes as Buffer);
    this.parkedBytes += bytes.length;
    if (++this.framesSinceFlush >= this.flushThresholdFrames || this.queuedBytes >= this.flushThresholdBytes) {
      this.flush();
    } else if (!this.scheduled) {
      this.scheduled = true;
      scheduleFlush(this);
    }
  }

  /**
   * Queues bytes encoded elsewhere (frames shared by many recipients, never changed once queued): large
   * ones by reference, so a broadcast buffer is not copied once per recipient; small ones copied.
   */
  append(bytes: Uint8Array, deferFlush = false): void {
    if (bytes.length >= APPEND_BY_REFERENCE_BYTES) {
      this.park();
      (this.parked ??= []).push(bytes as Buffer);
      this.parkedBytes += bytes.length;
      this.commit(0, deferFlush);
      return;
    }
    const chunk = this.reserve(bytes.length);
    chunk.set(bytes, this.used);
    this.commit(bytes.length, deferFlush);
  }

  /**
   * The end-of-pass flush; a quiet connection also lets go of its chunk. Quiet is judged by what the pass
   * wrote, not by how full the chunk is: a busy connection's chunk is often new and nearly empty at the end
   * of a pass, and dropping it then made chunks shrink and grow by turns, so every other flush spanned two
   * chunks (a writev instead of a write).
   */
  flushScheduled(): void {
    this.scheduled = false;
    this.flush();
    const passBytes = this.passBytes;
    this.passBytes = 0;
    if (!this.blocked && passBytes < this.chunk.length >> 2) {
      this.chunk = EMPTY;
      this.start = this.used = 0;
      this.chunkBytes = Math.max(MIN_CHUNK_BYTES, this.chunkBytes >> 1);
    }
  }

  /** Hands everything queued to the socket now, unless it is applying backpressure. */
  flush(): void {
    this.framesSinceFlush = 0;
    if (this.blocked || this.closed) {
      this.park();
      return;
    }
    const parked = this.parked;
    if (parked === undefined || parked.length === 0) {
      // The common case: one region of the chunk, written without collecting it first.
      if (this.used === this.start) return;
      const region = this.chunk.subarray(this.start, this.used);
      this.start = this.used;
      if (!this.socket.write(region)) this.blocked = true;
      return;
    }
    this.park();
    this.parked = undefined;
    this.parkedBytes = 0;
    let ok: boolean;
    if (parked.length === 1) {
      ok = this.socket.write(parked[0]);
    } else {
      this.socket.cork();
      ok = true;
      for (const buffer of parked) ok = this.socket.write(buffer) && ok;
      this.socket.uncork();
    }
    if (!ok) this.blocked = true;
  }

  /** Hands everything queued to the socket even while it applies backpressure (used when closing). */
  flushAll(): void {
    this.blocked = false;
    this.flush();
  }

  /** Drops everything not yet handed to the socket; later writes are ignored. */
  discard(): void {
    this.closed = true;
    this.parked = undefined;
    this.parkedBytes = 0;
    this.chunk = EMPTY;
    this.start = this.used = 0;
  }

  private park(): void {
    if (this.used > this.start) {
      (this.parked ??= []).push(this.chunk.subarray(this.start, this.used));
      this.parkedBytes += this.used - this.start;
      this.start = this.used;
    }
  }
}
