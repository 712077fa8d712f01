// Property: any sequence of valid frames, encoded and cut into chunks at arbitrary points, decodes
// back to exactly the same frames.
import * as fc from 'fast-check';
import { NodeFrameDecoder, FrameKind, FrameFlag, KNOWN_FLAGS, FRAME_HEADER_BYTES, encodeFrame } from '../../src/transport';
import { writeFrameHeader } from '../../src/codec/frame-header';

interface Frame {
  kind: number;
  flags: number;
  streamId: number;
  payload: Uint8Array;
  /** Encode with encodeFrame (plain encoding) rather than writeFrameHeader. */
  viaEncodeFrame: boolean;
}

const PLAIN = { compressMinBytes: Infinity, compressionLevel: 0, xorKey: undefined };
const MAX_PAYLOAD = 2000;

const frameArb: fc.Arbitrary<Frame> = fc.record({
  kind: fc.constantFrom(...Object.values(FrameKind)),
  // Every subset of the known flag bits.
  flags: fc.integer({ min: 0, max: KNOWN_FLAGS }).map((bits) => bits & KNOWN_FLAGS),
  streamId: fc.nat({ max: 0xffff_ffff }),
  payload: fc.uint8Array({ minLength: 0, maxLength: MAX_PAYLOAD }),
  viaEncodeFrame: fc.boolean(),
});

function encode(frame: Frame): Buffer {
  if (frame.viaEncodeFrame) return encodeFrame(frame.kind, frame.flags, frame.streamId, frame.payload, PLAIN);
  const bytes = Buffer.alloc(FRAME_HEADER_BYTES + frame.payload.length);
  writeFrameHeader(bytes, 0, frame.payload.length, frame.kind, frame.flags, frame.streamId);
  bytes.set(frame.payload, FRAME_HEADER_BYTES);
  return bytes;
}

describe('NodeFrameDecoder property', () => {
  it('decodes random frames split at random points into exactly the frames sent', () => {
    expect(KNOWN_FLAGS).toBe(FrameFlag.COMPRESSED | FrameFlag.OBFUSCATED | FrameFlag.END_STREAM | FrameFlag.MORE);
    fc.assert(
      fc.property(fc.array(frameArb, { minLength: 0, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 40 }), (frames, rawCuts) => {
        const stream = Buffer.concat(frames.map(encode));
        const cuts = [...new Set(rawCuts.map((cut) => (stream.length === 0 ? 0 : cut % (stream.length + 1))))].sort((a, b) => a - b);
        const received: { kind: number; flags: number; streamId: number; payload: Buffer }[] = [];
        const decoder = new NodeFrameDecoder(MAX_PAYLOAD, {
          onFrame: (kind, flags, streamId, payload) => received.push({ kind, flags, streamId, payload: Buffer.from(payload) }),
        });
        let from = 0;
        for (const cut of [...cuts, stream.length]) {
          decoder.push(stream.subarray(from, cut));
          from = cut;
        }
        // Payloads compared as hex: jest's deep equality on Buffers is byte by byte and slow.
        const hex = (f: { kind: number; flags: number; streamId: number; payload: Uint8Array }): string => `${f.kind}/${f.flags}/${f.streamId}/${Buffer.from(f.payload).toString('hex')}`;
        expect(received.map(hex)).toEqual(frames.map(hex));
        expect(decoder.midFrame).toBe(false);
        expect(decoder.bufferedBytes).toBe(0);
      }),
      { numRuns: 3000 },
    );
  });
});
