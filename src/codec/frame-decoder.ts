// Pure frame parser: bytes in, frames out. No socket, no timers: the connection feeds it chunks.
import { appendPart, concatBytes, readU32 } from './bytes';
import { FrameError } from './frame-error';
import { CloseCode, FRAME_HEADER_BYTES, FrameFlag, FrameKind, KNOWN_FLAGS, isKnownKind } from './wire';

/**
 * Receives each complete frame, still obfuscated and compressed as sent. `payload` is a view into the
 * received bytes (or, for a frame spread over chunks, one array joined for it): copy it to keep it past the call.
 * With `splitMessagesFrom` set, a large plain MESSAGE frame spread over chunks arrives instead as several
 * MESSAGE frames, one per chunk, all but the last with MORE (see FrameDecoder).
 */
export interface DecodedFrameSink<B extends Uint8Array = Uint8Array> {
  onFrame(kind: number, flags: number, streamId: number, payload: B): void;
}

const newBytes = (length: number): Uint8Array => new Uint8Array(length);

// A MESSAGE frame's body may be handed on in pieces only when its bytes are the message's own: an
// obfuscated or compressed body must be opened whole.
const SEALED = FrameFlag.COMPRESSED | FrameFlag.OBFUSCATED;

/**
 * Splits a byte stream into frames, whatever the chunking. A frame inside one chunk is handed out as a
 * view (no copy); a frame spread over chunks is joined once, when complete, so memory held is only what
 * the peer actually sent and large frames are copied exactly once.
 *
 * A plain (neither compressed nor obfuscated) MESSAGE frame of `splitMessagesFrom` bytes or more that is
 * spread over chunks is not joined here: each chunk's part goes out at once as a MESSAGE frame of its own,
 * flagged MORE, and the last part keeps the frame's own flags. That is the same message to a receiver that
 * joins fragments (docs/protocol.md section 9), which then copies every byte once: joining here too would
 * copy a fragmented message twice.
 */
export class FrameDecoder<B extends Uint8Array = Uint8Array> {
  private readonly header = new Uint8Array(FRAME_HEADER_BYTES);
  private readonly empty: B;
  private headerFill = 0;
  private inBody = false;
  private bodyLength = 0;
  private bodyKind = 0;
  private bodyFlags = 0;
  private bodyStream = 0;
  private parts: Uint8Array[] = [];
  private partsBytes = 0;
  private partsSettled = 0;
  /** Bytes of the current frame's body already handed out in pieces (a split MESSAGE frame). */
  private pieceBytes = 0;
  private splitting = false;
  private failed: FrameError | undefined;
  /** Frames completed so far; the connection uses it to time each frame separately. */
  framesDecoded = 0;

  constructor(
    private readonly maxFrameBytes: number,
    private readonly sink: DecodedFrameSink<B>,
    /**
     * Makes the array a frame spread over chunks is joined into: chunks of type B (a Node Buffer, say) and
     * this allocator give the sink payloads of type B throughout. Default a plain Uint8Array.
     */
    private readonly alloc: (length: number) => B = newBytes as (length: number) => B,
    /** Plain MESSAGE frames of at least this many bytes spread over chunks are handed out in pieces. Default never. */
    private readonly splitMessagesFrom = Infinity,
  ) {
    this.empty = alloc(0);
  }

  /** True while a frame has started but not finished. */
  get midFrame(): boolean {
    return this.headerFill > 0 || this.inBody;
  }

  /** Bytes held for an unfinished frame. */
  get bufferedBytes(): number {
    return this.headerFill + this.partsBytes;
  }

  /** Feeds received bytes; calls the sink for every frame completed. Throws FrameError on a violation. */
  push(chunk: B): void {
    if (this.failed) throw this.failed;
    const end = chunk.length;
    let offset = 0;
    while (offset < end) {
      if (!this.inBody) {
        if (this.headerFill === 0 && end - offset >= FRAME_HEADER_BYTES) {
          this.readHeader(chunk, offset);
          offset += FRAME_HEADER_BYTES;
        } else {
          const take = Math.min(FRAME_HEADER_BYTES - this.headerFill, end - offset);
          this.header.set(chunk.subarray(offset, offset + take), this.headerFill);
          this.headerFill += take;
          offset += take;
          if (this.headerFill < FRAME_HEADER_BYTES) return;
          this.headerFill = 0;
          this.readHeader(this.header, 0);
        }
        if (this.bodyLength === 0) {
          this.inBody = false;
          this.emit(this.empty);
        }
        continue;
      }
      if (this.splitting) {
        offset = this.pushPiece(chunk, offset, end);
        continue;
      }
      // inBody: bodyLength - partsBytes bytes still missing
      const missing = this.bodyLength - this.partsBytes;
      if (this.partsBytes === 0 && end - offset >= missing) {
        const payload = chunk.subarray(offset, offset + missing) as B; // a Buffer's subarray is a Buffer
        offset += missing;
        this.inBody = false;
        this.emit(payload);
        continue;
      }
      if (this.partsBytes === 0 && this.bodyKind === FrameKind.MESSAGE && this.bodyLength >= this.splitMessagesFrom && (this.bodyFlags & SEALED) === 0) {
        this.splitting = true;
        offset = this.pushPiece(chunk, offset, end);
        continue;
      }
      const take = Math.min(missing, end - offset);
      this.partsSettled = appendPart(this.parts, chunk.subarray(offset, offset + take), this.partsSettled, this.alloc);
      this.partsBytes += take;
      offset += take;
      if (this.partsBytes === this.bodyLength) {
        const payload = concatBytes(this.parts, this.bodyLength, this.alloc);
        this.parts = [];
        this.partsBytes = 0;
        this.partsSettled = 0;
        this.inBody = false;
        this.emit(payload);
      }
    }
  }

  /** Hands out the part of a split MESSAGE frame's body that `chunk` holds from `offset`; returns the new offset. */
  private pushPiece(chunk: B, offset: number, end: number): number {
    const take = Math.min(this.bodyLength - this.pieceBytes, end - offset);
    const piece = chunk.subarray(offset, offset + take) as B;
    this.pieceBytes += take;
    if (this.pieceBytes < this.bodyLength) {
      // Not the last part: a fragment that continues (and so cannot end the stream yet).
      this.sink.onFrame(FrameKind.MESSAGE, (this.bodyFlags & ~FrameFlag.END_STREAM) | FrameFlag.MORE, this.bodyStream, piece);
    } else {
      this.splitting = false;
      this.pieceBytes = 0;
      this.inBody = false;
      this.emit(piece);
    }
    return offset + take;
  }

  private readHeader(buf: Uint8Array, at: number): void {
    const length = readU32(buf, at);
    const kind = buf[at + 4];
    const flags = buf[at + 5];
    const streamId = readU32(buf, at + 6);
    // Checked before a single byte of the body is held.
    if (length > this.maxFrameBytes) {
      this.fail(CloseCode.FRAME_TOO_LARGE, `frame of ${length} bytes exceeds maxFrameBytes (${this.maxFrameBytes})`);
    }
    if (!isKnownKind(kind)) {
      this.fail(CloseCode.PROTOCOL_ERROR, `unknown frame kind 0x${kind.toString(16).padStart(2, '0')}`);
    }
    if ((flags & ~KNOWN_FLAGS) !== 0) {
      this.fail(CloseCode.PROTOCOL_ERROR, `unknown flag bits 0b${flags.toString(2).padStart(8, '0')} on frame kind 0x${kind.toString(16)}`);
    }
    this.bodyLength = length;
    this.bodyKind = kind;
    this.bodyFlags = flags;
    this.bodyStream = streamId;
    this.inBody = true;
  }

  private emit(payload: B): void {
    this.framesDecoded++;
    this.sink.onFrame(this.bodyKind, this.bodyFlags, this.bodyStream, payload);
  }

  private fail(code: CloseCode, message: string): never {
    this.failed = new FrameError(code, message);
    this.parts = [];
    throw this.failed;
  }
}
