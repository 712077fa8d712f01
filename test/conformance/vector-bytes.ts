// Building blocks of the conformance vectors: raw frames, names of kinds and close codes, deterministic
// zlib bytes, prefaces; shared by the frame, handshake and call vector builders.
import { encodePreface, type PayloadEncoding } from '../../src/transport';
import { writeFrameHeader } from '../../src/codec/frame-header';
import { localPreface } from '../../src/transport/tcp/handshake';
import { resolveTransportOptions, type TransportOptions } from '../../src/transport/transport-options';
import { CloseCode, FRAME_HEADER_BYTES, FrameKind, KNOWN_FLAGS, Role } from '../../src/codec/wire';
import type { CloseSpec, FrameSpec } from './vector-format';

/** framerpc's default maxFrameBytes (4 MiB). */
export const DEFAULT_MAX_FRAME_BYTES = resolveTransportOptions().maxFrameBytes;
/** The XOR key of docs/protocol.md's examples. */
export const KEY = Buffer.from('k3y');
/** Payload encodings for encodeFrame: as is, and obfuscated with KEY. */
export const PLAIN: PayloadEncoding = { compressMinBytes: Infinity, compressionLevel: 0, xorKey: undefined };
export const OBFUSCATED: PayloadEncoding = { ...PLAIN, xorKey: KEY };

const kindNames = new Map<number, string>(Object.entries(FrameKind).map(([name, kind]) => [kind, name]));
const closeNames = new Map<number, string>(Object.entries(CloseCode).map(([name, code]) => [code, name]));
/** A kind's name in docs/protocol.md, or its hex number for kinds the protocol does not define. */
export const kindName = (kind: number): string => kindNames.get(kind) ?? `0x${kind.toString(16).padStart(2, '0')}`;
/** The lowest flag bit this protocol version does not define (0x08 in version 1). */
export const UNKNOWN_FLAG = [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80].find((bit) => (KNOWN_FLAGS & bit) === 0) as number;

/** A close of `code` whose reason contains `reasonContains`. */
export function close(code: CloseCode, reasonContains: string): CloseSpec {
  return { code, name: closeNames.get(code) as string, reasonContains };
}

/** A frame's bytes exactly as given: any declared length, kind, flags (no compression, no obfuscation). */
export function rawFrame(kind: number, flags: number, streamId: number, payload: Uint8Array = Buffer.alloc(0), declaredLength = payload.length): Buffer {
  const frame = Buffer.alloc(FRAME_HEADER_BYTES + payload.length);
  writeFrameHeader(frame, 0, declaredLength, kind, flags, streamId);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/** Lowercase hex, as the vector files write bytes. */
export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
/** A frame as the decoder hands it out. */
export const spec = (kind: number, flags: number, streamId: number, payload: Uint8Array = Buffer.alloc(0)): FrameSpec => ({
  kind,
  kindName: kindName(kind),
  flags,
  streamId,
  payloadHex: hex(payload),
});

/** A zlib stream (RFC 1950) holding `data` in one stored deflate block: deterministic, unlike a real compressor. */
export function zlibStored(data: Buffer): Buffer {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  const block = Buffer.alloc(5);
  block[0] = 0x01; // BFINAL, stored
  block.writeUInt16LE(data.length, 1);
  block.writeUInt16LE(~data.length & 0xffff, 3);
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE(((b << 16) | a) >>> 0, 0);
  return Buffer.concat([Buffer.from([0x78, 0x01]), block, data, adler]);
}

/** 100 zero bytes deflated (zlib level 9), fixed here so the vectors do not depend on the local zlib's output. */
export const ZLIB_100_ZEROS = Buffer.from('78da6360a03d000000640001', 'hex');

/** The preface a framerpc peer with these transport options sends. */
export function prefaceFor(options: Partial<TransportOptions>): Buffer {
  return Buffer.from(encodePreface(localPreface(resolveTransportOptions(options), Role.CLIENT)));
}
