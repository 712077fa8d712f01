// appendPart: views waiting to be joined stay few however finely a peer dribbles its bytes; large ones are never joined early.
import { appendPart, concatBytes } from '../../src/codec/bytes';
import { MessageAssembler } from '../../src/rpc/message-assembler';
import { FrameKind, FRAME_HEADER_BYTES, NodeFrameDecoder } from '../../src/transport';
import { writeFrameHeader } from '../../src/codec/frame-header';

const alloc = (length: number): Uint8Array => new Uint8Array(length);

test('10,000 one-byte views become at most one joined view per 64, and the bytes are kept in order', () => {
  const parts: Uint8Array[] = [];
  let settled = 0;
  for (let i = 0; i < 10_000; i++) settled = appendPart(parts, Uint8Array.of(i & 0xff), settled, alloc);
  expect(parts.length).toBeLessThanOrEqual(10_000 / 64 + 64);
  const joined = concatBytes(parts, 10_000, alloc);
  expect(joined.every((byte, i) => byte === (i & 0xff))).toBe(true);
});

test('64 KiB views are kept as they are, to be joined once at the end', () => {
  const parts: Uint8Array[] = [];
  let settled = 0;
  for (let i = 0; i < 200; i++) settled = appendPart(parts, new Uint8Array(64 * 1024), settled, alloc);
  expect(parts.length).toBe(200);
  expect(settled).toBe(192); // settled, never joined: the next 64 start after them
});

test('a message dribbled in 100,000 one-byte fragments assembles whole, holding few pieces on the way', () => {
  const assembler = new MessageAssembler();
  let whole: Buffer | undefined | symbol;
  for (let i = 0; i < 100_000; i++) whole = assembler.add(Buffer.of(i % 251), i < 99_999, 1 << 20);
  expect(Buffer.isBuffer(whole)).toBe(true);
  const message = whole as Buffer;
  expect(message.length).toBe(100_000);
  expect(message.every((byte, i) => byte === i % 251)).toBe(true);
});

test('a frame dribbled into the decoder one byte per chunk decodes whole', () => {
  const length = 20_000;
  const bytes = Buffer.alloc(FRAME_HEADER_BYTES + length);
  writeFrameHeader(bytes, 0, length, FrameKind.DATA, 0, 1);
  for (let i = 0; i < length; i++) bytes[FRAME_HEADER_BYTES + i] = i % 253;
  const frames: Buffer[] = [];
  const decoder = new NodeFrameDecoder(1 << 20, { onFrame: (_kind, _flags, _stream, payload) => frames.push(Buffer.from(payload)) });
  for (let i = 0; i < bytes.length; i++) decoder.push(bytes.subarray(i, i + 1));
  expect(frames).toHaveLength(1);
  expect(frames[0].equals(bytes.subarray(FRAME_HEADER_BYTES))).toBe(true);
  expect(decoder.bufferedBytes).toBe(0);
});
