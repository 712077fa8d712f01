// The decoder's split mode: a large plain MESSAGE frame spread over chunks leaves in pieces, one per chunk,
// that a receiver joining fragments reads as the same message; everything else is joined as before.
import { NodeFrameDecoder, FrameKind, FrameFlag, FRAME_HEADER_BYTES } from '../../src/transport';
import { writeFrameHeader } from '../../src/codec/frame-header';

const SPLIT_FROM = 16 * 1024;

interface Decoded {
  kind: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

function frame(kind: number, flags: number, streamId: number, length: number, fill: number): Buffer {
  const bytes = Buffer.alloc(FRAME_HEADER_BYTES + length);
  writeFrameHeader(bytes, 0, length, kind, flags, streamId);
  for (let i = 0; i < length; i++) bytes[FRAME_HEADER_BYTES + i] = (fill + i) & 0xff;
  return bytes;
}

function decodeInChunks(bytes: Buffer, cuts: number[]): { frames: Decoded[]; decoder: NodeFrameDecoder; midFrameAfter: boolean[] } {
  const frames: Decoded[] = [];
  const decoder = new NodeFrameDecoder(1024 * 1024, { onFrame: (kind, flags, streamId, payload) => frames.push({ kind, flags, streamId, payload: Buffer.from(payload) }) }, SPLIT_FROM);
  const midFrameAfter: boolean[] = [];
  let at = 0;
  for (const cut of [...cuts, bytes.length]) {
    decoder.push(bytes.subarray(at, cut));
    midFrameAfter.push(decoder.midFrame);
    at = cut;
  }
  return { frames, decoder, midFrameAfter };
}

const shape = (frames: Decoded[]): [number, number, number, number][] => frames.map((f) => [f.kind, f.flags, f.streamId, f.payload.length]);

test('a plain MESSAGE frame spread over three chunks leaves as three fragments: MORE, MORE, then its own flags', () => {
  const bytes = frame(FrameKind.MESSAGE, FrameFlag.END_STREAM, 7, 40_000, 3);
  const { frames, decoder, midFrameAfter } = decodeInChunks(bytes, [10_000, 25_000]);
  expect(shape(frames)).toEqual([
    [FrameKind.MESSAGE, FrameFlag.MORE, 7, 10_000 - FRAME_HEADER_BYTES],
    [FrameKind.MESSAGE, FrameFlag.MORE, 7, 15_000],
    [FrameKind.MESSAGE, FrameFlag.END_STREAM, 7, 40_000 + FRAME_HEADER_BYTES - 25_000],
  ]);
  expect(Buffer.concat(frames.map((f) => f.payload)).equals(bytes.subarray(FRAME_HEADER_BYTES))).toBe(true);
  // One frame of the peer's, however many pieces: the connection's frame timer counts frames.
  expect(decoder.framesDecoded).toBe(1);
  expect(midFrameAfter).toEqual([true, true, false]);
  expect(decoder.bufferedBytes).toBe(0);
});

test('a fragment that continues (MORE) keeps MORE on every piece', () => {
  const bytes = frame(FrameKind.MESSAGE, FrameFlag.MORE, 3, 65_536, 9);
  const { frames } = decodeInChunks(bytes, [30_000]);
  expect(frames.map((f) => f.flags)).toEqual([FrameFlag.MORE, FrameFlag.MORE]);
  expect(Buffer.concat(frames.map((f) => f.payload)).equals(bytes.subarray(FRAME_HEADER_BYTES))).toBe(true);
});

test('the frames after a split one in the same chunk come out whole and in order', () => {
  const big = frame(FrameKind.MESSAGE, 0, 5, 20_000, 1);
  const small = frame(FrameKind.MESSAGE, FrameFlag.END_STREAM, 5, 100, 2);
  const other = frame(FrameKind.DATA, 0, 1, 50, 3);
  const bytes = Buffer.concat([big, small, other]);
  const { frames } = decodeInChunks(bytes, [12_000]);
  expect(shape(frames)).toEqual([
    [FrameKind.MESSAGE, FrameFlag.MORE, 5, 12_000 - FRAME_HEADER_BYTES],
    [FrameKind.MESSAGE, 0, 5, 20_000 + FRAME_HEADER_BYTES - 12_000],
    [FrameKind.MESSAGE, FrameFlag.END_STREAM, 5, 100],
    [FrameKind.DATA, 0, 1, 50],
  ]);
});

test.each([
  ['compressed', FrameKind.MESSAGE, FrameFlag.COMPRESSED, 40_000],
  ['obfuscated', FrameKind.MESSAGE, FrameFlag.OBFUSCATED, 40_000],
  ['smaller than the split size', FrameKind.MESSAGE, 0, SPLIT_FROM - 1],
  ['not a MESSAGE', FrameKind.DATA, 0, 40_000],
])('a frame %s is joined whole, as without split mode', (_what, kind, flags, length) => {
  const bytes = frame(kind, flags, 2, length, 4);
  const { frames } = decodeInChunks(bytes, [5_000, 9_000]);
  expect(shape(frames)).toEqual([[kind, flags, 2, length]]);
  expect(frames[0].payload.equals(bytes.subarray(FRAME_HEADER_BYTES))).toBe(true);
});

test('a large MESSAGE frame inside one chunk is one frame (a view: nothing to join)', () => {
  const bytes = frame(FrameKind.MESSAGE, FrameFlag.END_STREAM, 9, 40_000, 5);
  const { frames } = decodeInChunks(bytes, []);
  expect(shape(frames)).toEqual([[FrameKind.MESSAGE, FrameFlag.END_STREAM, 9, 40_000]]);
});
