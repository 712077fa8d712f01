// Client-side frame reader for the load client: counts complete frames without copying any bytes.

const HEADER_BYTES = 10;
const DATA_KIND = 0x04;

/** Walks frame headers across chunk boundaries and reports complete DATA frames and their sizes. */
export class FrameCounter {
  private readonly header = Buffer.alloc(HEADER_BYTES);
  private headerFill = 0;
  private bodyLeft = 0;
  private bodyIsData = false;
  private bodyLength = 0;

  /** Feeds a chunk; calls `onData(payloadLength)` for each DATA frame completed. Other kinds (PING) are skipped. */
  push(chunk: Buffer, onData: (payloadLength: number) => void): void {
    const end = chunk.length;
    let offset = 0;
    while (offset < end) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, end - offset);
        this.bodyLeft -= take;
        offset += take;
        if (this.bodyLeft === 0 && this.bodyIsData) onData(this.bodyLength);
        continue;
      }
      let length: number;
      let kind: number;
      if (this.headerFill === 0 && end - offset >= HEADER_BYTES) {
        length = chunk.readUInt32BE(offset);
        kind = chunk[offset + 4];
        offset += HEADER_BYTES;
      } else {
        const take = Math.min(HEADER_BYTES - this.headerFill, end - offset);
        chunk.copy(this.header, this.headerFill, offset, offset + take);
        this.headerFill += take;
        offset += take;
        if (this.headerFill < HEADER_BYTES) return;
        this.headerFill = 0;
        length = this.header.readUInt32BE(0);
        kind = this.header[4];
      }
      this.bodyIsData = kind === DATA_KIND;
      this.bodyLength = length;
      this.bodyLeft = length;
      if (length === 0 && this.bodyIsData) onData(0);
    }
  }
}
