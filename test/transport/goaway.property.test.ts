// Property: any GOAWAY payload of 2 bytes or more decodes to its u16 code and UTF-8 reason, a shorter one
// is a PROTOCOL_ERROR; encoding cuts reasons to 512 bytes on a character boundary and decodes back.
import * as fc from 'fast-check';
import { CloseCode, FrameError, decodeGoaway, encodeGoaway } from '../../src/transport';
import { MAX_REASON_BYTES } from '../../src/transport/goaway';
import { asBuffer, decodeOrError, same, validOrMutated } from '../property-helpers';

const goawayArb = fc.tuple(fc.nat({ max: 0xffff }), fc.string({ unit: 'grapheme', maxLength: 300 }));

describe('GOAWAY decoder property', () => {
  it('arbitrary and damaged payloads: code and reason as sent, or PROTOCOL_ERROR under 2 bytes', () => {
    const inputArb = fc.oneof(fc.uint8Array({ maxLength: 40 }).map(asBuffer), validOrMutated(goawayArb.map(([code, reason]) => encodeGoaway(code, reason))));
    fc.assert(
      fc.property(inputArb, (payload) => {
        const result = decodeOrError(() => decodeGoaway(payload), FrameError);
        const outcome = result.ok ? `ok ${result.value.code} ${JSON.stringify(result.value.reason)}` : `error ${result.error.code}`;
        const wanted = payload.length >= 2 ? `ok ${payload.readUInt16BE(0)} ${JSON.stringify(payload.toString('utf8', 2))}` : `error ${CloseCode.PROTOCOL_ERROR}`;
        same(outcome, wanted);
      }),
      { numRuns: 4000 },
    );
  });

  it('round trip: the code exactly, the reason whole up to 512 bytes, else its longest prefix that fits on a character boundary', () => {
    fc.assert(
      fc.property(goawayArb, fc.nat({ max: 200 }), ([code, reason], repeat) => {
        const long = reason.repeat(1 + (repeat % 4));
        const payload = encodeGoaway(code, long);
        const back = decodeGoaway(payload);
        const sent = Buffer.byteLength(long);
        const cutOk = sent <= MAX_REASON_BYTES ? back.reason === long : long.startsWith(back.reason) && Buffer.byteLength(back.reason) > MAX_REASON_BYTES - 4;
        same(`${back.code} ${payload.length <= 2 + MAX_REASON_BYTES} ${cutOk} ${back.reason.includes('\ufffd')}`, `${code} true true ${long.includes('\ufffd')}`);
      }),
      { numRuns: 2000 },
    );
  });
});
