// Property: any STATUS payload either decodes to one of the 17 status codes (a code byte outside them is
// UNKNOWN, naming the number in the text) or fails with RpcError INTERNAL and a reason (the peer broke the
// protocol); encode then decode gives back what was sent.
import * as fc from 'fast-check';
import { decodeCallStatus, encodeCallStatus, type CallStatus } from '../../src/rpc/call-status';
import { RpcError } from '../../src/rpc/rpc-error';
import { Status, isStatus } from '../../src/rpc/status';
import { MEMORY_SLACK_BYTES, asBuffer, decodeOrError, measure, same, validOrMutated, type Decoded } from '../property-helpers';
import { entriesOf, messageArb, metadataArb } from './rpc-arbitraries';

/** The 17 status codes, and code bytes outside them (a peer may send any u8: docs/protocol.md 13.10). */
const codeArb: fc.Arbitrary<Status> = fc.oneof(
  fc.constantFrom(...Object.values(Status)),
  fc.integer({ min: 17, max: 255 }).map((code) => code as Status),
);

const statusArb = fc.record({
  code: codeArb,
  text: fc.string({ unit: 'grapheme', maxLength: 60 }),
  details: fc.string({ unit: 'grapheme', maxLength: 60 }),
  trailers: fc.option(metadataArb, { nil: undefined }),
  message: messageArb,
});

/** The text a caller receives for code byte `code` and the text the STATUS carried. */
function receivedText(code: number, text: string): string {
  return isStatus(code) ? text : `the server sent unknown status code ${code}: ${text}`;
}

function describeOutcome(result: Decoded<CallStatus, RpcError>): string {
  if (!result.ok) return `error ${result.error.code}`;
  const { code, text, details, trailers, message } = result.value;
  return `ok ${code} ${JSON.stringify(text)} ${JSON.stringify(details)} ${entriesOf(trailers)} ${message === undefined ? '-' : message.toString('hex')}`;
}

describe('STATUS decoder property', () => {
  it('arbitrary and damaged payloads: a defined status code (UNKNOWN for a code byte outside them), or INTERNAL with a reason', () => {
    const inputArb = fc.oneof(fc.uint8Array({ maxLength: 80 }).map(asBuffer), validOrMutated(statusArb.map((s) => encodeCallStatus(s.code, s.text, s.details, s.trailers, s.message))));
    fc.assert(
      fc.property(inputArb, (payload) => {
        const result = decodeOrError(() => decodeCallStatus(payload), RpcError);
        if (!result.ok) {
          if (result.error.code !== Status.INTERNAL) throw result.error;
          return;
        }
        const { code, text, message } = result.value;
        const wantedCode = isStatus(payload[0]) ? payload[0] : Status.UNKNOWN;
        const wantedText = receivedText(payload[0], payload.toString('utf8', 4, 4 + payload.readUInt16BE(2)));
        same(
          `${isStatus(code)} ${code} ${text === wantedText} ${message === undefined ? '-' : payload.subarray(payload.length - message.length).equals(message)}`,
          `true ${wantedCode} true ${(payload[1] & 1) === 1 ? true : '-'}`,
        );
      }),
      { numRuns: 4000 },
    );
  });

  it('a code byte outside the 17 status codes is UNKNOWN, its text naming the number (docs/protocol.md 13.10)', () => {
    for (const code of [17, 42, 255]) {
      const status = decodeCallStatus(Buffer.from([code, 1, 0, 2, 0x68, 0x69, 0, 0, 0, 0, 0xaa]));
      expect(status).toMatchObject({ code: Status.UNKNOWN, text: `the server sent unknown status code ${code}: hi`, details: '', message: Buffer.from([0xaa]) });
    }
    expect(decodeCallStatus(Buffer.from([17, 0, 0, 0, 0, 0, 0, 0]))).toMatchObject({ code: Status.UNKNOWN, text: 'the server sent unknown status code 17: ', message: undefined });
  });

  it('round trip: code, text, details, trailers and response come back as encoded (an unknown code as UNKNOWN naming it)', () => {
    fc.assert(
      fc.property(statusArb, (s) => {
        const payload = encodeCallStatus(s.code, s.text, s.details, s.trailers, s.message);
        const wantedCode = isStatus(s.code) ? s.code : Status.UNKNOWN;
        const wanted = `ok ${wantedCode} ${JSON.stringify(receivedText(s.code, s.text))} ${JSON.stringify(s.details)} ${s.trailers ? entriesOf(s.trailers) : '[]'} ${s.message === undefined ? '-' : Buffer.from(s.message).toString('hex')}`;
        same(describeOutcome(decodeOrError(() => decodeCallStatus(payload), RpcError)), wanted);
      }),
      { numRuns: 2000 },
    );
  });

  it('texts over 65535 bytes are cut to a prefix on a character boundary', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), fc.nat({ max: 3 }), (unit, extra) => {
        const text = unit.repeat(Math.ceil((0xffff + extra) / Buffer.byteLength(unit)) + 1);
        const back = decodeCallStatus(encodeCallStatus(Status.INTERNAL, text, text, undefined, undefined));
        same(`${text.startsWith(back.text)} ${text.startsWith(back.details)} ${Buffer.byteLength(back.text) > 0xffff - 4}`, 'true true true');
      }),
      { numRuns: 30 },
    );
  });

  it('text and details lengths claiming 65535 bytes fail as soon as the bytes run out, without allocating for them', () => {
    for (const input of [Buffer.from([13, 0, 0xff, 0xff, 0, 0, 0, 0]), Buffer.from([13, 0, 0, 0, 0xff, 0xff, 0, 0])]) {
      let error: unknown;
      const { arrayBufferGrowth, elapsedMs } = measure(() => {
        try {
          decodeCallStatus(input);
        } catch (thrown) {
          error = thrown;
        }
      });
      expect(error).toMatchObject({ code: Status.INTERNAL, message: expect.stringMatching(/cut off/) });
      expect(arrayBufferGrowth).toBeLessThan(MEMORY_SLACK_BYTES);
      expect(elapsedMs).toBeLessThan(50);
    }
  });
});
