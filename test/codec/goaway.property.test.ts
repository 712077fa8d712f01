// Property: any GOAWAY payload of 6 bytes or more decodes to its u16 code, u32 last accepted call id and UTF-8
// reason, a shorter one is a PROTOCOL_ERROR; encoding cuts reasons to 512 bytes on a character boundary and decodes back.
import * as fc from 'fast-check';
import { CloseCode, FrameError, decodeGoaway, encodeGoaway } from '../../src/transport';
import { GOAWAY_FIXED_BYTES, MAX_REASON_BYTES } from '../../src/codec/goaway';
import { asBuffer, decodeOrError, same, validOrMutated } from '../property-helpers';

const goawayArb = fc.tuple(fc.nat({ max: 0xffff }), fc.string({ unit: 'grapheme', maxLength: 300 }), fc.nat({ max: 0xffff_ffff }));

describe('GOAWAY decoder property', () => {
  it('the fixed part is 6 bytes: u16 code, u32 last accepted call id (docs/protocol.md section 5.3)', () => {
    expect(GOAWAY_FIXED_BYTES).toBe(6);
    expect(decodeGoaway(Buffer.from('0008' + 'fffffffe' + '6279', 'hex'))).toEqual({ code: CloseCode.SHUTTING_DOWN, lastCallId: 0xffff_fffe, reason: 'by' });
    expect(() => decodeGoaway(Buffer.from('0008' + '000000', 'hex'))).toThrow(expect.objectContaining({ closeCode: CloseCode.PROTOCOL_ERROR }));
  });

  it('arbitrary and damaged payloads: code, last call id and reason as sent, or PROTOCOL_ERROR under 6 bytes', () => {
    const inputArb = fc.oneof(fc.uint8Array({ maxLength: 40 }).map(asBuffer), validOrMutated(goawayArb.map(([code, reason, lastCallId]) => encodeGoaway(code, reason, lastCallId))));
    fc.assert(
      fc.property(inputArb, (payload) => {
        const result = decodeOrError(() => decodeGoaway(payload), FrameError);
        const outcome = result.ok
          ? `ok ${result.value.code} ${result.value.lastCallId} ${JSON.stringify(result.value.reason)}`
          : `error ${result.error.closeCode} ${result.error.message.includes(`${payload.length} bytes`)}`;
        const wanted =
          payload.length >= GOAWAY_FIXED_BYTES
            ? `ok ${payload.readUInt16BE(0)} ${payload.readUInt32BE(2)} ${JSON.stringify(payload.toString('utf8', GOAWAY_FIXED_BYTES))}`
            : `error ${CloseCode.PROTOCOL_ERROR} true`;
        same(outcome, wanted);
      }),
      { numRuns: 4000 },
    );
  });

  it('round trip: the code and last call id exactly, the reason whole up to 512 bytes, else its longest prefix that fits on a character boundary', () => {
    fc.assert(
      fc.property(goawayArb, fc.nat({ max: 200 }), ([code, reason, lastCallId], repeat) => {
        const long = reason.repeat(1 + (repeat % 4));
        const payload = encodeGoaway(code, long, lastCallId);
        const back = decodeGoaway(payload);
        const sent = Buffer.byteLength(long);
        const cutOk = sent <= MAX_REASON_BYTES ? back.reason === long : long.startsWith(back.reason) && Buffer.byteLength(back.reason) > MAX_REASON_BYTES - 4;
        same(
          `${back.code} ${back.lastCallId} ${payload.length <= GOAWAY_FIXED_BYTES + MAX_REASON_BYTES} ${cutOk} ${back.reason.includes('\ufffd')}`,
          `${code} ${lastCallId} true true ${long.includes('\ufffd')}`,
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('a client sends last call id 0 when it names none', () => {
    expect(decodeGoaway(encodeGoaway(CloseCode.NORMAL, 'client closed'))).toEqual({ code: CloseCode.NORMAL, lastCallId: 0, reason: 'client closed' });
  });
});
