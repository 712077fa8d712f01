// The 10-byte frame header: u32 payload length, u8 kind, u8 flags, u32 stream id (big-endian).
import { readU32 } from './bytes';

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

/** A frame header as read. */
export interface FrameHeader {
  readonly length: number;
  readonly kind: number;
  readonly flags: number;
  readonly streamId: number;
}

/** Reads the frame header at `offset` of `source` (no checks: the decoder checks limits, kinds and flags). */
export function readFrameHeader(source: Uint8Array, offset = 0): FrameHeader {
  return { length: readU32(source, offset), kind: source[offset + 4], flags: source[offset + 5], streamId: readU32(source, offset + 6) };
}
