// Writes frames into the outbound queue as negotiated, through the codec: header in place, payload compressed and obfuscated.
import type { FrameCompressor } from '../../codec/frame-compressor';
import { writeFrameHeader } from '../../codec/frame-header';
import {
  ASYNC_DEFLATE_BYTES,
  CALLER_FLAGS,
  deflatePayload,
  deflatePayloadAsync,
  sealPayloadInPlace,
  wireFlags,
  writeFrame,
  type CompressChoice,
  type PayloadEncoding,
} from '../../codec/payload-codec';
import { HeldFrames, type HeldFramesHost } from './held-frames';
import type { OutboundQueue } from './outbound-queue';
import type { TransportOptions } from '../transport-options';
import { FRAME_HEADER_BYTES, Feature, FrameFlag } from '../../codec/wire';

/** How this side encodes for a peer whose preface had `peerFeatures`: compress only to a peer that accepts it. */
export function negotiatedEncoding(options: TransportOptions, peerFeatures: number, compressor: FrameCompressor): PayloadEncoding {
  return {
    compressMinBytes: options.sendCompression && peerFeatures & Feature.COMPRESSION ? options.compressMinBytes : Infinity,
    compressionLevel: options.compressionLevel,
    xorKey: options.xorKey,
    compressor,
  };
}

/** What the writer tells its connection: held frames were released, or an asynchronous deflate failed. */
export interface FrameWriterHost extends HeldFramesHost {
  /** An asynchronous deflate failed: the connection cannot go on (a frame is missing). */
  failWith(error: unknown): void;
}

/**
 * The encoding half of one connection. It only writes: admission (outbound bounds), liveness and
 * backpressure stay with the connection, which calls it after deciding a frame may go.
 */
export class FrameWriter {
  private reservedAt = 0;
  private reservedLength = 0;
  /** Frames written after one still deflating off the event loop, in order; made by the first asynchronous deflate. */
  private held: HeldFrames | undefined;

  constructor(
    private readonly queue: OutboundQueue,
    /** How this side encodes payloads for this peer (as negotiated). */
    readonly encoding: PayloadEncoding,
    /** The peer's preface had COMPRESSION: a per-frame choice to compress may be honoured. */
    private readonly peerAcceptsCompressed: boolean,
    private readonly host: FrameWriterHost,
  ) {}

  /** Runs `action` once no frame is held behind a deflate (at once when none is). */
  afterHeldEmpty(action: () => void): void {
    if (this.held) this.held.afterEmpty(action);
    else action();
  }

  /** The connection closed: forget held frames. */
  discardHeld(): void {
    this.held?.discard();
  }

  /** Whether a payload of `length` bytes goes compressed: by the connection's rule, or as `compress` says. */
  compresses(length: number, compress: CompressChoice): boolean {
    return compress === undefined ? length >= this.encoding.compressMinBytes : compress && this.peerAcceptsCompressed;
  }

  /** Writes one frame, its payload copied (and compressed, obfuscated as negotiated). */
  write(kind: number, flags: number, streamId: number, payload: Uint8Array, compress: CompressChoice): void {
    const compressed = this.compresses(payload.length, compress);
    if (compressed && payload.length >= ASYNC_DEFLATE_BYTES) {
      this.deflateLater(kind, flags, streamId, payload);
      return;
    }
    const body = deflatePayload(payload, compressed, this.encoding);
    if (this.held?.active) {
      this.holdFrame(kind, wireFlags(flags, compressed, this.encoding), streamId, body);
      return;
    }
    const length = FRAME_HEADER_BYTES + body.length;
    const chunk = this.queue.reserve(length);
    writeFrame(chunk, this.queue.offset, kind, wireFlags(flags, compressed, this.encoding), streamId, body, this.encoding);
    this.queue.commit(length);
  }

  /** Deflates a large payload on the thread pool; it and every frame written after it wait in `held`, in order. */
  private deflateLater(kind: number, flags: number, streamId: number, payload: Uint8Array): void {
    const place = (this.held ??= new HeldFrames(this.queue, this.host)).reserve(FRAME_HEADER_BYTES + payload.length);
    const wire = wireFlags(flags, true, this.encoding);
    deflatePayloadAsync(new Uint8Array(payload), this.encoding).then(
      // copied: the caller may reuse its buffer at once
      (body) => {
        const frame = new Uint8Array(FRAME_HEADER_BYTES + body.length);
        writeFrame(frame, 0, kind, wire, streamId, body, this.encoding);
        place(frame);
      },
      (error: unknown) => {
        place(new Uint8Array(0));
        this.host.failWith(error);
      },
    );
  }

  private holdFrame(kind: number, wire: number, streamId: number, body: Uint8Array): void {
    const frame = new Uint8Array(FRAME_HEADER_BYTES + body.length);
    writeFrame(frame, 0, kind, wire, streamId, body, this.encoding);
    (this.held as HeldFrames).push(frame); // only called while frames are held
  }

  /** Queues bytes encoded elsewhere (a frame shared by many peers), behind held frames if any. */
  append(frame: Uint8Array, deferFlush: boolean): void {
    if (this.held?.active) this.held.push(frame);
    else this.queue.append(frame, deferFlush);
  }

  /** True when `payload` can be queued by reference: plain, not compressed (the caller never changes it). */
  canWriteByReference(length: number, compress: CompressChoice): boolean {
    return !this.encoding.xorKey && !this.compresses(length, compress);
  }

  /** Writes the header in place and queues `payload` itself behind it (after `canWriteByReference`). */
  writeByReference(kind: number, flags: number, streamId: number, payload: Uint8Array): void {
    if (this.held?.active) {
      this.holdFrame(kind, flags & CALLER_FLAGS, streamId, payload);
      return;
    }
    const header = this.queue.reserve(FRAME_HEADER_BYTES);
    writeFrameHeader(header, this.queue.offset, payload.length, kind, flags & CALLER_FLAGS, streamId);
    this.queue.commit(FRAME_HEADER_BYTES, true);
    this.queue.appendRef(payload);
  }

  /**
   * Reserves room for a frame whose payload of exactly `payloadLength` bytes the caller writes in place at
   * `reservedOffset`, then `commit()`s in the same synchronous block. Undefined when it would be compressed.
   */
  reserve(kind: number, flags: number, streamId: number, payloadLength: number): Buffer | undefined {
    if (payloadLength >= this.encoding.compressMinBytes || this.held?.active) return undefined;
    const length = FRAME_HEADER_BYTES + payloadLength;
    const chunk = this.queue.reserve(length);
    const at = this.queue.offset;
    writeFrameHeader(chunk, at, payloadLength, kind, wireFlags(flags, false, this.encoding), streamId);
    this.reservedAt = at + FRAME_HEADER_BYTES;
    this.reservedLength = length;
    return chunk;
  }

  /** Where the payload of the frame reserved by `reserve` starts. */
  get reservedOffset(): number {
    return this.reservedAt;
  }

  /** Queues the frame reserved by `reserve`, its payload now written. */
  commit(): void {
    sealPayloadInPlace(this.queue.reserve(0), this.reservedAt, this.reservedAt - FRAME_HEADER_BYTES + this.reservedLength, this.encoding);
    this.queue.commit(this.reservedLength);
  }

  /** Writes a control frame on stream 0 (never compressed). */
  writeControl(kind: number, payload: Uint8Array): void {
    if (this.held?.active) {
      this.holdFrame(kind, wireFlags(0, false, this.encoding), 0, payload);
      return;
    }
    const length = FRAME_HEADER_BYTES + payload.length;
    const chunk = this.queue.reserve(length);
    writeFrame(chunk, this.queue.offset, kind, wireFlags(0, false, this.encoding), 0, payload, this.encoding);
    this.queue.commit(length);
  }
}
