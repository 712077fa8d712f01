// NodeFrameDecoder as a pure parser: crafted bytes in, frames out, whatever the chunking.
import { NodeFrameDecoder, FrameError, CloseCode, FrameKind, FrameFlag, FRAME_HEADER_BYTES } from '../../src/transport';
import { writeFrameHeader } from '../../src/codec/frame-header';

interface Decoded {
  kind: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

function frame(kind: number, flags: number, streamId: number, payload: Buffer): Buffer {
  const bytes = Buffer.alloc(FRAME_HEADER_BYTES + payload.length);
  writeFrameHeader(bytes, 0, payload.length, kind, flags, streamId);
  payload.copy(bytes, FRAME_HEADER_BYTES);
  return bytes;
}

function decoder(maxFrameBytes = 1024 * 1024): { decoder: NodeFrameDecoder; frames: Decoded[] } {
  const frames: Decoded[] = [];
  const d = new NodeFrameDecoder(maxFrameBytes, {
    onFrame: (kind, flags, streamId, payload) => frames.push({ kind, flags, streamId, payload: Buffer.from(payload) }),
  });
  return { decoder: d, frames };
}

/** Frames with hex payloads: jest's deep equality on Buffers is byte by byte and slow on megabytes. */
function hex(frames: Decoded[]): { kind: number; flags: number; streamId: number; payload: string }[] {
  return frames.map((f) => ({ ...f, payload: f.payload.toString('hex') }));
}

function thrown(fn: () => void): FrameError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FrameError);
    return error as FrameError;
  }
  throw new Error('expected a FrameError');
}

const sample: Decoded[] = [
  { kind: FrameKind.DATA, flags: 0, streamId: 1, payload: Buffer.from('hello') },
  { kind: FrameKind.PING, flags: 0, streamId: 0, payload: Buffer.from('12345678') },
  { kind: FrameKind.MESSAGE, flags: FrameFlag.END_STREAM, streamId: 0xffff_ffff, payload: Buffer.alloc(0) },
  { kind: FrameKind.CALL, flags: FrameFlag.COMPRESSED | FrameFlag.OBFUSCATED, streamId: 7, payload: Buffer.alloc(3000, 0xab) },
  { kind: FrameKind.PUSH, flags: 0, streamId: 2, payload: Buffer.from([0]) },
];
const sampleBytes = Buffer.concat(sample.map((f) => frame(f.kind, f.flags, f.streamId, f.payload)));

describe('NodeFrameDecoder: chunking', () => {
  it('decodes frames fed one byte at a time', () => {
    const { decoder: d, frames } = decoder();
    for (let i = 0; i < sampleBytes.length; i++) d.push(sampleBytes.subarray(i, i + 1));
    expect(frames).toEqual(sample);
    expect(d.midFrame).toBe(false);
    expect(d.bufferedBytes).toBe(0);
  });

  it('decodes thousands of frames from one chunk', () => {
    const sent = Array.from({ length: 5000 }, (_, i) => ({
      kind: FrameKind.DATA,
      flags: 0,
      streamId: i,
      payload: Buffer.from(`payload ${i}`.repeat(i % 5)),
    }));
    const { decoder: d, frames } = decoder();
    d.push(Buffer.concat(sent.map((f) => frame(f.kind, f.flags, f.streamId, f.payload))));
    expect(hex(frames)).toEqual(hex(sent));
    expect(d.framesDecoded).toBe(5000);
  });

  it('joins one large frame spread over many chunks, holding only what arrived', () => {
    const payload = Buffer.alloc(256 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
    const bytes = frame(FrameKind.MESSAGE, 0, 9, payload);
    const { decoder: d, frames } = decoder();
    let fed = 0;
    for (const size of [3, 7, 1000, 4096, 65536]) {
      d.push(bytes.subarray(fed, fed + size));
      fed += size;
      expect(frames).toHaveLength(0);
      expect(d.midFrame).toBe(true);
      expect(d.bufferedBytes).toBe(fed < FRAME_HEADER_BYTES ? fed : fed - FRAME_HEADER_BYTES);
    }
    while (fed < bytes.length) {
      d.push(bytes.subarray(fed, fed + 777));
      fed += 777;
    }
    expect(hex(frames)).toEqual(hex([{ kind: FrameKind.MESSAGE, flags: 0, streamId: 9, payload }]));
    expect(d.bufferedBytes).toBe(0);
  });

  it('delivers zero-length frames as empty payloads, alone and back to back', () => {
    const { decoder: d, frames } = decoder();
    const empty = frame(FrameKind.DATA, 0, 3, Buffer.alloc(0));
    d.push(empty);
    d.push(Buffer.concat([empty, empty, frame(FrameKind.DATA, 0, 4, Buffer.from('x')), empty]));
    expect(frames.map((f) => f.payload.length)).toEqual([0, 0, 0, 1, 0]);
    expect(frames.map((f) => f.streamId)).toEqual([3, 3, 3, 4, 3]);
  });

  it.each([1, 2, 4, 5, 6, 9])('handles a header split after %i bytes', (split) => {
    const { decoder: d, frames } = decoder();
    const bytes = Buffer.concat([frame(FrameKind.DATA, 0, 1, Buffer.from('first')), frame(FrameKind.HEADERS, 0, 0x01020304, Buffer.from('second'))]);
    const secondStart = FRAME_HEADER_BYTES + 5;
    d.push(bytes.subarray(0, secondStart + split));
    expect(frames).toHaveLength(1);
    expect(d.midFrame).toBe(true);
    d.push(bytes.subarray(secondStart + split));
    expect(frames.map((f) => f.payload.toString())).toEqual(['first', 'second']);
    expect(frames[1]).toMatchObject({ kind: FrameKind.HEADERS, streamId: 0x01020304 });
  });

  it('keeps a header split mid-chunk and a body that ends exactly at a chunk boundary apart', () => {
    const { decoder: d, frames } = decoder();
    const a = frame(FrameKind.DATA, 0, 1, Buffer.from('aaaa'));
    const b = frame(FrameKind.DATA, 0, 2, Buffer.from('bbbbbbbb'));
    const all = Buffer.concat([a, b]);
    d.push(all.subarray(0, a.length));
    d.push(all.subarray(a.length, a.length + 12));
    d.push(all.subarray(a.length + 12));
    expect(frames.map((f) => f.payload.toString())).toEqual(['aaaa', 'bbbbbbbb']);
  });
});

describe('NodeFrameDecoder: violations', () => {
  it('rejects a 2^32-1 length right after the 10 header bytes, before holding any body', () => {
    const { decoder: d, frames } = decoder(4 * 1024 * 1024);
    const header = Buffer.alloc(FRAME_HEADER_BYTES);
    writeFrameHeader(header, 0, 0xffff_ffff, FrameKind.DATA, 0, 1);
    for (let i = 0; i < FRAME_HEADER_BYTES - 1; i++) d.push(header.subarray(i, i + 1));
    expect(d.bufferedBytes).toBe(FRAME_HEADER_BYTES - 1);
    const error = thrown(() => d.push(header.subarray(FRAME_HEADER_BYTES - 1)));
    expect(error.closeCode).toBe(CloseCode.FRAME_TOO_LARGE);
    expect(error.message).toBe('frame of 4294967295 bytes exceeds maxFrameBytes (4194304)');
    expect(d.bufferedBytes).toBe(0);
    expect(frames).toHaveLength(0);
  });

  it('rejects maxFrameBytes + 1 and accepts exactly maxFrameBytes', () => {
    const ok = decoder(100);
    ok.decoder.push(frame(FrameKind.DATA, 0, 1, Buffer.alloc(100)));
    expect(ok.frames).toHaveLength(1);
    const bad = decoder(100);
    const error = thrown(() => bad.decoder.push(frame(FrameKind.DATA, 0, 1, Buffer.alloc(101))));
    expect(error.closeCode).toBe(CloseCode.FRAME_TOO_LARGE);
    expect(bad.frames).toHaveLength(0);
  });

  it('rejects an unknown kind and unknown flag bits', () => {
    const kind = thrown(() => decoder().decoder.push(frame(0x7f, 0, 1, Buffer.alloc(1))));
    expect(kind.closeCode).toBe(CloseCode.PROTOCOL_ERROR);
    expect(kind.message).toBe('unknown frame kind 0x7f');
    const flags = thrown(() => decoder().decoder.push(frame(FrameKind.DATA, 0b1000_0000, 1, Buffer.alloc(1))));
    expect(flags.closeCode).toBe(CloseCode.PROTOCOL_ERROR);
    expect(flags.message).toMatch(/^unknown flag bits 0b10000000/);
  });

  it('stays failed: later pushes rethrow the same error and decode nothing', () => {
    const { decoder: d, frames } = decoder();
    const first = thrown(() => d.push(frame(0x00, 0, 0, Buffer.alloc(0))));
    const again = thrown(() => d.push(frame(FrameKind.DATA, 0, 1, Buffer.from('ok'))));
    expect(again).toBe(first);
    expect(frames).toHaveLength(0);
  });

  it('emits the frames before a violation in the same chunk, then throws', () => {
    const { decoder: d, frames } = decoder();
    const error = thrown(() => d.push(Buffer.concat([frame(FrameKind.DATA, 0, 1, Buffer.from('good')), frame(0xee, 0, 1, Buffer.alloc(0))])));
    expect(error.closeCode).toBe(CloseCode.PROTOCOL_ERROR);
    expect(frames.map((f) => f.payload.toString())).toEqual(['good']);
  });
});
