// Writes frames: the header in place, and whole frames encoded once for sending to many peers.
import { deflateSync } from 'node:zlib';
import { xorInPlace } from './xor-obfuscator';
import { FRAME_HEADER_BYTES, FrameFlag } from './wire';

/** Writes a frame header at `offset` of `target`. */
export function writeFrameHeader(target: Uint8Array, offset: number, length: number, kind: number, flags: number, streamId: number): void {
  target[offset] = length >>> 24;
  target[offset + 1] = length >>> 16;
  target[offset + 2] = length >>> 8;
  target[offset + 3] = length;
  target[offset + 4] = kind;
  target[offset + 5] = flags;
  target[offset + 6] = streamId >>> 24;
  target[offset + 7] = streamId >>> 16;
  target[offset + 8] = streamId >>> 8;
  target[offset + 9] = streamId;
}

/** How a sender encodes payloads: what the handshake agreed with the peer. */
export interface PayloadEncoding {
  /** Compress payloads of at least this many bytes; Infinity when the peer does not accept compression. */
  readonly compressMinBytes: number;
  readonly compressionLevel: number;
  readonly xorKey: Uint8Array | undefined;
}

/**
 * Encodes one complete frame into a new buffer: compression, obfuscation and header. Used for frames
 * sent to many peers (a broadcast is encoded once and the same bytes are queued for each recipient),
 * which is why the XOR key is per server rather than per connection.
 */
export function encodeFrame(kind: number, flags: number, streamId: number, payload: Uint8Array, encoding: PayloadEncoding): Buffer {
  let body = payload;
  if (payload.length >= encoding.compressMinBytes) {
    body = deflateSync(payload, { level: encoding.compressionLevel });
    flags |= FrameFlag.COMPRESSED;
  }
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  frame.set(body, FRAME_HEADER_BYTES);
  if (encoding.xorKey) {
    xorInPlace(frame, encoding.xorKey, FRAME_HEADER_BYTES);
    flags |= FrameFlag.OBFUSCATED;
  }
  writeFrameHeader(frame, 0, body.length, kind, flags, streamId);
  return frame;
}
