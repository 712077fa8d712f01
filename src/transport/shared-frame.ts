// Frames encoded once for many recipients (broadcasts), as Node Buffers, compressed with Node's zlib unless the encoding names another compressor.
import { encodeFrame as encodeFrameBytes, type PayloadEncoding } from '../codec/payload-codec';
import { zlibCompressor } from './node/zlib-compressor';

export { writeFrameHeader } from '../codec/frame-header';
export type { PayloadEncoding } from '../codec/payload-codec';

/**
 * Encodes one complete frame (codec `encodeFrame`) and returns it as a Buffer viewing the same bytes. The
 * encoding of a connection (`connection.encoding`) carries its compressor; one without gets Node's zlib.
 */
export function encodeFrame(kind: number, flags: number, streamId: number, payload: Uint8Array, encoding: PayloadEncoding): Buffer {
  const frame = encodeFrameBytes(kind, flags, streamId, payload, encoding.compressor ? encoding : { ...encoding, compressor: zlibCompressor });
  return Buffer.from(frame.buffer, frame.byteOffset, frame.length);
}
