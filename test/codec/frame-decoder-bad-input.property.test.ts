// Property: arbitrary bytes, and valid frame streams damaged at random, cut into chunks at random points:
// the decoder hands out exactly the frames a reference parser finds, then either waits for more or throws
// the FrameError the reference predicts; never another exception, never memory the input did not bring.
import * as fc from 'fast-check';
import { CloseCode, FRAME_HEADER_BYTES, NodeFrameDecoder, FrameError, KNOWN_FLAGS } from '../../src/transport';
import { writeFrameHeader } from '../../src/codec/frame-header';
import { MEMORY_SLACK_BYTES, asBuffer, measure, mutationArb, mutate, splitAt } from '../property-helpers';

// docs/protocol.md section 5: every kind the protocol defines. Flags come from wire.ts (they grow with versions).
const DOC_KINDS = [0x01, 0x02, 0x03, 0x04, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x20];

interface Frame {
  readonly kind: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payloadHex: string;
}

interface Expected {
  readonly frames: Frame[];
  readonly errorCode: number | undefined;
  /** Bytes after the last complete frame (when no error). */
  readonly rest: number;
}

/** docs/protocol.md section 4, written independently of the decoder: whole input at once. */
function referenceParse(bytes: Buffer, maxFrameBytes: number): Expected {
  const frames: Frame[] = [];
  let at = 0;
  while (bytes.length - at >= FRAME_HEADER_BYTES) {
    const length = bytes.readUInt32BE(at);
    const kind = bytes[at + 4];
    const flags = bytes[at + 5];
    const streamId = bytes.readUInt32BE(at + 6);
    if (length > maxFrameBytes) return { frames, errorCode: CloseCode.FRAME_TOO_LARGE, rest: 0 };
    if (!DOC_KINDS.includes(kind)) return { frames, errorCode: CloseCode.PROTOCOL_ERROR, rest: 0 };
    if ((flags & ~KNOWN_FLAGS) !== 0) return { frames, errorCode: CloseCode.PROTOCOL_ERROR, rest: 0 };
    if (bytes.length - at - FRAME_HEADER_BYTES < length) break;
    frames.push({ kind, flags, streamId, payloadHex: bytes.toString('hex', at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + length) });
    at += FRAME_HEADER_BYTES + length;
  }
  return { frames, errorCode: undefined, rest: bytes.length - at };
}

const validFrameArb = fc
  .record({
    kind: fc.constantFrom(...DOC_KINDS),
    flags: fc.nat({ max: 255 }).map((bits) => bits & KNOWN_FLAGS),
    streamId: fc.nat({ max: 0xffff_ffff }),
    payload: fc.uint8Array({ maxLength: 64 }),
  })
  .map(({ kind, flags, streamId, payload }) => {
    const bytes = Buffer.alloc(FRAME_HEADER_BYTES + payload.length);
    writeFrameHeader(bytes, 0, payload.length, kind, flags, streamId);
    bytes.set(payload, FRAME_HEADER_BYTES);
    return bytes;
  });

const streamArb = fc.array(validFrameArb, { maxLength: 6 }).map((frames) => Buffer.concat(frames));

const inputArb = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map(asBuffer),
  streamArb,
  fc.tuple(streamArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 })).map(([bytes, mutations]) => mutate(bytes, mutations)),
);

describe('NodeFrameDecoder on arbitrary and damaged input', () => {
  it('matches the reference parser for any input, any chunking, any maxFrameBytes', () => {
    fc.assert(
      fc.property(inputArb, fc.array(fc.nat(), { maxLength: 12 }), fc.constantFrom(0, 1, 8, 40, 64, 4 * 1024 * 1024), (input, cuts, maxFrameBytes) => {
        const expected = referenceParse(input, maxFrameBytes);
        const frames: Frame[] = [];
        const decoder = new NodeFrameDecoder(maxFrameBytes, {
          onFrame: (kind, flags, streamId, payload) => frames.push({ kind, flags, streamId, payloadHex: payload.toString('hex') }),
        });
        let thrown: FrameError | undefined;
        for (const chunk of splitAt(input, cuts)) {
          try {
            decoder.push(chunk);
          } catch (error) {
            if (!(error instanceof FrameError)) throw error;
            thrown = error;
            break;
          }
          // Never holds more than one unfinished frame's bytes, and never more than the input brought.
          // (Plain checks in the inner loop: jest's expect is the slow part of a property run.)
          if (decoder.bufferedBytes > Math.min(input.length, FRAME_HEADER_BYTES + maxFrameBytes)) throw new Error(`holds ${decoder.bufferedBytes} bytes`);
        }
        let after: string;
        if (thrown) {
          // A failed decoder stays failed: the connection is closing and must not see another frame.
          let again: unknown;
          try {
            decoder.push(Buffer.from([0, 0, 0, 0, 4, 0, 0, 0, 0, 1]));
          } catch (error) {
            again = error;
          }
          after = `failed message:${thrown.message.length > 0} sticky:${again === thrown} frames:${frames.length}`;
        } else {
          // A complete header is parsed and not counted; what it announced, as far as it came, is held.
          after = `waiting held:${decoder.bufferedBytes} mid:${decoder.midFrame} decoded:${decoder.framesDecoded}`;
        }
        const held = expected.rest < FRAME_HEADER_BYTES ? expected.rest : expected.rest - FRAME_HEADER_BYTES;
        const wanted =
          expected.errorCode === undefined ? `waiting held:${held} mid:${expected.rest > 0} decoded:${expected.frames.length}` : `failed message:true sticky:true frames:${expected.frames.length}`;
        // One comparison per run (jest's expect is the slow part of a property run).
        expect(`${JSON.stringify(frames)} ${thrown?.closeCode} ${after}`).toBe(`${JSON.stringify(expected.frames)} ${expected.errorCode} ${wanted}`);
      }),
      { numRuns: 3000 },
    );
  });

  it('checks a declared length against maxFrameBytes on the header alone, before holding any payload', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffff_ffff }), fc.nat({ max: 0xffff_ffff }), fc.boolean(), (length, maxFrameBytes, byteByByte) => {
        const header = Buffer.alloc(FRAME_HEADER_BYTES);
        writeFrameHeader(header, 0, length, 0x04, 0, 1);
        const decoder = new NodeFrameDecoder(maxFrameBytes, { onFrame: () => undefined });
        const push = (): void => {
          if (byteByByte) for (let i = 0; i < header.length; i++) decoder.push(header.subarray(i, i + 1));
          else decoder.push(header);
        };
        let error: unknown;
        try {
          push();
        } catch (thrown) {
          error = thrown;
        }
        if (length > maxFrameBytes) {
          if (!(error instanceof FrameError) || error.closeCode !== CloseCode.FRAME_TOO_LARGE || !/exceeds maxFrameBytes/.test(error.message))
            throw new Error(`expected FRAME_TOO_LARGE, got ${String(error)}`);
        } else {
          if (error !== undefined) throw error;
          if (decoder.bufferedBytes !== 0 || decoder.midFrame !== length > 0) throw new Error(`held ${decoder.bufferedBytes} bytes after a header`);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('a header claiming 4 GiB fails at once under the default limit, without allocating', () => {
    const header = Buffer.alloc(FRAME_HEADER_BYTES);
    writeFrameHeader(header, 0, 0xffff_ffff, 0x04, 0, 1);
    const decoder = new NodeFrameDecoder(4 * 1024 * 1024, { onFrame: () => undefined });
    let error: unknown;
    const { arrayBufferGrowth, elapsedMs } = measure(() => {
      try {
        decoder.push(header);
      } catch (thrown) {
        error = thrown;
      }
    });
    expect(error).toBeInstanceOf(FrameError);
    expect((error as FrameError).closeCode).toBe(CloseCode.FRAME_TOO_LARGE);
    expect(arrayBufferGrowth).toBeLessThan(MEMORY_SLACK_BYTES);
    expect(elapsedMs).toBeLessThan(50);
  });

  it('with no effective limit, a 4 GiB claim holds only the bytes that actually arrived', () => {
    const decoder = new NodeFrameDecoder(0xffff_ffff, { onFrame: () => undefined });
    const header = Buffer.alloc(FRAME_HEADER_BYTES);
    writeFrameHeader(header, 0, 0xffff_ffff, 0x04, 0, 1);
    const chunk = Buffer.alloc(64 * 1024, 0xab);
    const { arrayBufferGrowth } = measure(() => {
      decoder.push(header);
      for (let i = 0; i < 16; i++) decoder.push(chunk);
    });
    expect(decoder.bufferedBytes).toBe(16 * chunk.length);
    expect(decoder.midFrame).toBe(true);
    expect(arrayBufferGrowth).toBeLessThan(MEMORY_SLACK_BYTES);
  });
});
