// Property: any STATUS payload either decodes to one of the 17 status codes or fails with RpcError
// INTERNAL and a reason (the peer broke the protocol); encode then decode gives back what was sent.
import * as fc from 'fast-check';
import { decodeCallStatus, encodeCallStatus, type CallStatus } from '../../src/rpc/call-status';
import { RpcError } from '../../src/rpc/rpc-error';
import { Status, isStatus } from '../../src/rpc/status';
import { MEMORY_SLACK_BYTES, asBuffer, decodeOrError, measure, same, validOrMutated, type Decoded } from '../property-helpers';
import { entriesOf, messageArb, metadataArb } from './rpc-arbitraries';

const statusArb = fc.record({
  code: fc.constantFrom(...Object.values(Status)),
  text: fc.string({ unit: 'grapheme', maxLength: 60 }),
  details: fc.string({ unit: 'grapheme', maxLength: 60 }),
  trailers: fc.option(metadataArb, { nil: undefined }),
  message: messageArb,
});

function describeOutcome(result: Decoded<CallStatus, RpcError>): string {
  if (!result.ok) return `error ${result.error.code}`;
  const { code, text, details, trailers, message } = result.value;
  return `ok ${code} ${JSON.stringify(text)} ${JSON.stringify(details)} ${entriesOf(trailers)} ${message === undefined ? '-' : message.toString('hex')}`;
}

describe('STATUS decoder property', () => {
  it('arbitrary and damaged payloads: a defined status code, or INTERNAL', () => {
    const inputArb = fc.oneof(
      fc.uint8Array({ maxLength: 80 }).map(asBuffer),
      validOrMutated(statusArb.map((s) => encodeCallStatus(s.code, s.text, s.details, s.trailers, s.message))),
    );
    fc.assert(
      fc.property(inputArb, (payload) => {
        const result = decodeOrError(() => decodeCallStatus(payload), RpcError);
        if (!result.ok) {
          if (result.error.code !== Status.INTERNAL) throw result.error;
          return;
        }
        const { code, message } = result.value;
        same(`${isStatus(code)} ${code} ${message === undefined ? '-' : payload.subarray(payload.length - message.length).equals(message)}`, `true ${payload[0]} ${(payload[1] & 1) === 1 ? true : '-'}`);
      }),
      { numRuns: 4000 },
    );
  });

  it('a code byte outside the 17 status codes is INTERNAL naming it, not a code callers cannot name', () => {
    expect(() => decodeCallStatus(Buffer.from([17, 1, 0, 0, 0, 0, 0, 0]))).toThrow(expect.objectContaining({ code: Status.INTERNAL, message: 'STATUS code 17 is not one of the 17 status codes' }));
  });

  it('round trip: code, text, details, trailers and response come back as encoded', () => {
    fc.assert(
      fc.property(statusArb, (s) => {
        const payload = encodeCallStatus(s.code, s.text, s.details, s.trailers, s.message);
        const wanted = `ok ${s.code} ${JSON.stringify(s.text)} ${JSON.stringify(s.details)} ${s.trailers ? entriesOf(s.trailers) : '[]'} ${s.message === undefined ? '-' : Buffer.from(s.message).toString('hex')}`;
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
