// Splits a byte stream of length-prefixed frames (u32 BE payload length first) without copying, except a
// frame cut by a chunk boundary: its bytes are gathered once in a small reusable buffer.

const MAX_CARRIED_FRAME_BYTES = 64 * 1024;

/** Called with each complete frame, header included: `buffer[start..end)`; valid only during the call. */
export type FrameHandler = (buffer: Buffer, start: number, end: number) => void;

/** One per connection. `headerBytes` is the whole header (framerpc 10, the naive peer 4); its first 4 bytes are the payload length. */
export class FrameReader {
  private carry = Buffer.allocUnsafe(1024);
  private carried = 0;

  constructor(private readonly headerBytes: number) {}

  /** Feeds a chunk; calls `onFrame` for each frame it completes. Throws on a frame too large to carry. */
  push(chunk: Buffer, onFrame: FrameHandler): void {
    let offset = this.carried > 0 ? this.finishCarried(chunk, onFrame) : 0;
    const end = chunk.length;
    const header = this.headerBytes;
    while (end - offset >= header) {
      const frameEnd = offset + header + chunk.readUInt32BE(offset);
      if (frameEnd > end) break;
      onFrame(chunk, offset, frameEnd);
      offset = frameEnd;
    }
    if (offset < end) this.keep(chunk, offset, end);
  }

  /** Completes the frame started in an earlier chunk; returns where the rest of `chunk` begins. */
  private finishCarried(chunk: Buffer, onFrame: FrameHandler): number {
    let offset = 0;
    if (this.carried < this.headerBytes) {
      const take = Math.min(this.headerBytes - this.carried, chunk.length);
      chunk.copy(this.carry, this.carried, 0, take);
      this.carried += take;
      offset = take;
      if (this.carried < this.headerBytes) return offset;
    }
    const frameBytes = this.headerBytes + this.carry.readUInt32BE(0);
    this.reserve(frameBytes);
    const take = Math.min(frameBytes - this.carried, chunk.length - offset);
    chunk.copy(this.carry, this.carried, offset, offset + take);
    this.carried += take;
    offset += take;
    if (this.carried === frameBytes) {
      this.carried = 0;
      onFrame(this.carry, 0, frameBytes);
    }
    return offset;
  }

  private keep(chunk: Buffer, start: number, end: number): void {
    if (end - start >= this.headerBytes) this.reserve(this.headerBytes + chunk.readUInt32BE(start));
    chunk.copy(this.carry, 0, start, end);
    this.carried = end - start;
  }

  private reserve(frameBytes: number): void {
    if (frameBytes <= this.carry.length) return;
    if (frameBytes > MAX_CARRIED_FRAME_BYTES) throw new Error(`frame of ${frameBytes} bytes: the broadcast client only expects small frames`);
    const bigger = Buffer.allocUnsafe(MAX_CARRIED_FRAME_BYTES);
    this.carry.copy(bigger, 0, 0, this.carried);
    this.carry = bigger;
  }
}
