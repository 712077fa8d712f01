// The payload codec: every encoding path gives the same bytes, decoding reverses it (sync and async), inflating is capped, and src/codec stays browser-safe.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FrameDecoder } from '../../src/codec/frame-decoder';
import { FrameError } from '../../src/codec/frame-error';
import { readFrameHeader, writeFrameHeader } from '../../src/codec/frame-header';
import {
  encodeFrame,
  inflatePayload,
  inflatePayloadAsync,
  openPayload,
  sealPayloadInPlace,
  unsealPayload,
  wireFlags,
  writeFrame,
  type PayloadEncoding,
  type PayloadOpening,
} from '../../src/codec/payload-codec';
import { CloseCode, FRAME_HEADER_BYTES, FrameFlag, FrameKind } from '../../src/codec/wire';
import { zlibCompressor } from '../../src/transport/node/zlib-compressor';

const key = new TextEncoder().encode('not a secret');
const plain: PayloadEncoding = { compressMinBytes: Infinity, compressionLevel: 1, xorKey: undefined };
const keyed: PayloadEncoding = { ...plain, xorKey: key };
const compressing: PayloadEncoding = { compressMinBytes: 64, compressionLevel: 1, xorKey: key, compressor: zlibCompressor };
const opening = (maxBytes = 1 << 20): PayloadOpening => ({ xorKey: key, acceptsCompressed: true, maxBytes, compressor: zlibCompressor });

/** Decodes `bytes` fed one byte at a time as plain Uint8Arrays. */
function decodeByteByByte(bytes: Uint8Array): { kind: number; flags: number; streamId: number; payload: Uint8Array }[] {
  const frames: { kind: number; flags: number; streamId: number; payload: Uint8Array }[] = [];
  const decoder = new FrameDecoder(1 << 20, { onFrame: (kind, flags, streamId, payload) => frames.push({ kind, flags, streamId, payload: payload.slice() }) });
  for (let i = 0; i < bytes.length; i++) decoder.push(bytes.subarray(i, i + 1));
  return frames;
}

describe('frame header', () => {
  it('writes and reads the 10 header bytes big-endian', () => {
    const bytes = new Uint8Array(FRAME_HEADER_BYTES + 2);
    writeFrameHeader(bytes, 2, 0x01020304, FrameKind.MESSAGE, FrameFlag.MORE, 0xfffffffe);
    expect(Array.from(bytes.subarray(2))).toEqual([1, 2, 3, 4, 0x11, 0b1000, 0xff, 0xff, 0xff, 0xfe]);
    expect(readFrameHeader(bytes, 2)).toEqual({ length: 0x01020304, kind: FrameKind.MESSAGE, flags: FrameFlag.MORE, streamId: 0xfffffffe });
  });
});

describe('encoding paths', () => {
  it('encodeFrame, writeFrame and a payload written in place then sealed give the same bytes', () => {
    const payload = new TextEncoder().encode('same bytes every way');
    const whole = encodeFrame(FrameKind.DATA, FrameFlag.END_STREAM, 7, payload, keyed);
    const written = new Uint8Array(whole.length);
    writeFrame(written, 0, FrameKind.DATA, wireFlags(FrameFlag.END_STREAM, false, keyed), 7, payload, keyed);
    const inPlace = new Uint8Array(whole.length);
    writeFrameHeader(inPlace, 0, payload.length, FrameKind.DATA, wireFlags(FrameFlag.END_STREAM, false, keyed), 7);
    inPlace.set(payload, FRAME_HEADER_BYTES);
    sealPayloadInPlace(inPlace, FRAME_HEADER_BYTES, inPlace.length, keyed);
    expect(written).toEqual(whole);
    expect(inPlace).toEqual(whole);
    expect(whole[5]).toBe(FrameFlag.END_STREAM | FrameFlag.OBFUSCATED);
  });

  it('wireFlags keeps only the caller flags END_STREAM and MORE, and adds COMPRESSED and OBFUSCATED as encoded', () => {
    expect(wireFlags(0xff, false, plain)).toBe(FrameFlag.END_STREAM | FrameFlag.MORE);
    expect(wireFlags(0, true, keyed)).toBe(FrameFlag.COMPRESSED | FrameFlag.OBFUSCATED);
  });

  it('compresses at compressMinBytes, and needs a compressor to do so', () => {
    const small = encodeFrame(FrameKind.DATA, 0, 1, new Uint8Array(63), compressing);
    const large = encodeFrame(FrameKind.DATA, 0, 1, new Uint8Array(64), compressing);
    expect(small[5] & FrameFlag.COMPRESSED).toBe(0);
    expect(large[5] & FrameFlag.COMPRESSED).toBe(FrameFlag.COMPRESSED);
    expect(() => encodeFrame(FrameKind.DATA, 0, 1, new Uint8Array(64), { ...compressing, compressor: undefined })).toThrow(/no compressor/);
  });
});

describe('decoding', () => {
  it('a compressed, obfuscated frame fed one byte at a time opens to the original payload', () => {
    const payload = new Uint8Array(5000).map((_, i) => i % 7);
    const frames = decodeByteByByte(encodeFrame(FrameKind.MESSAGE, FrameFlag.END_STREAM, 3, payload, compressing));
    expect(frames).toHaveLength(1);
    const [frame] = frames;
    expect(frame.payload).toBeInstanceOf(Uint8Array);
    expect(frame.flags & FrameFlag.END_STREAM).toBe(FrameFlag.END_STREAM);
    expect(Buffer.from(openPayload(frame.flags, frame.streamId, frame.payload, opening()))).toEqual(Buffer.from(payload));
  });

  it('inflating asynchronously gives what inflating synchronously gives', async () => {
    const payload = new Uint8Array(200 * 1024).map((_, i) => (i * 31) % 251);
    const [frame] = decodeByteByByte(encodeFrame(FrameKind.DATA, 0, 1, payload, compressing));
    const copy = frame.payload.slice();
    expect(unsealPayload(frame.flags, frame.payload, opening())).toBe(true);
    expect(unsealPayload(frame.flags, copy, opening())).toBe(true);
    const sync = inflatePayload(1, frame.payload, opening());
    const async = await inflatePayloadAsync(1, copy, opening());
    expect(Buffer.from(async)).toEqual(Buffer.from(sync));
    expect(Buffer.from(sync)).toEqual(Buffer.from(payload));
  });

  it('stops inflating past maxBytes with COMPRESSION_ERROR, sync and async', async () => {
    const bomb = encodeFrame(FrameKind.DATA, 0, 9, new Uint8Array(1 << 20), compressing);
    const [frame] = decodeByteByByte(bomb);
    unsealPayload(frame.flags, frame.payload, opening(1000));
    const expected = { closeCode: CloseCode.COMPRESSION_ERROR, message: 'compressed frame on stream 9 inflates past maxFrameBytes (1000)' };
    expect(() => inflatePayload(9, frame.payload, opening(1000))).toThrow(expect.objectContaining(expected));
    await expect(inflatePayloadAsync(9, frame.payload, opening(1000))).rejects.toMatchObject(expected);
  });

  it('refuses obfuscation that does not match the negotiation, and compression this side did not accept', () => {
    const [obfuscated] = decodeByteByByte(encodeFrame(FrameKind.DATA, 0, 1, new Uint8Array(4), keyed));
    expect(() => openPayload(obfuscated.flags, 1, obfuscated.payload, { ...opening(), xorKey: undefined })).toThrow(FrameError);
    const [compressed] = decodeByteByByte(encodeFrame(FrameKind.DATA, 0, 1, new Uint8Array(100), compressing));
    expect(() => openPayload(compressed.flags, 1, compressed.payload, { ...opening(), acceptsCompressed: false })).toThrow(/did not accept compression/);
  });
});

describe('src/codec', () => {
  it('imports nothing from node:* and uses no Buffer (it must run in a browser)', () => {
    const dir = path.join(__dirname, '../../src/codec');
    for (const file of fs.readdirSync(dir)) {
      const source = fs
        .readFileSync(path.join(dir, file), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      expect({ file, node: /from '(node:)?(zlib|crypto|buffer|net|events|stream)'/.test(source), buffer: /\bBuffer\b/.test(source) }).toEqual({ file, node: false, buffer: false });
    }
  });
});
