// Property: decodePreface accepts exactly the prefaces docs/protocol.md section 3 accepts and refuses
// everything else with HANDSHAKE_FAILED and a reason; encode then decode gives back every valid preface.
import * as fc from 'fast-check';
import { CloseCode, FrameError, PREFACE_BYTES, PROTOCOL_VERSION, decodePreface, encodePreface, type Preface } from '../../src/transport';
import { checkObfuscation } from '../../src/codec/preface';
import { Feature, Role } from '../../src/codec/wire';
import { asBuffer, decodeOrError, same, validOrMutated } from '../property-helpers';

const prefaceArb: fc.Arbitrary<Preface> = fc.record({
  version: fc.constant(PROTOCOL_VERSION),
  features: fc.nat({ max: 255 }),
  role: fc.constantFrom(Role.CLIENT, Role.SERVER),
  keyCheck: fc.nat({ max: 0xffff_ffff }),
  connectionWindow: fc.integer({ min: 1, max: 0xffff_ffff }),
  streamWindow: fc.integer({ min: 1, max: 0xffff_ffff }),
});

const inputArb = fc.oneof(fc.uint8Array({ maxLength: 2 * PREFACE_BYTES }).map(asBuffer), validOrMutated(prefaceArb.map(encodePreface)));

/** Section 3 step 2, without the obfuscation checks (which need both prefaces). */
function acceptable(bytes: Buffer): boolean {
  return (
    bytes.length >= PREFACE_BYTES &&
    bytes.toString('latin1', 0, 4) === 'FRPC' &&
    bytes[4] === PROTOCOL_VERSION &&
    (bytes[6] === Role.CLIENT || bytes[6] === Role.SERVER) &&
    bytes[7] === 0 &&
    bytes.readUInt32BE(12) > 0 &&
    bytes.readUInt32BE(16) > 0
  );
}

describe('preface decoder property', () => {
  it('accepts exactly the valid prefaces and refuses the rest with HANDSHAKE_FAILED and a reason', () => {
    fc.assert(
      fc.property(inputArb, (bytes) => {
        const result = decodeOrError(() => decodePreface(bytes), FrameError);
        const outcome = result.ok ? `ok ${result.value.version} ${result.value.features} ${result.value.keyCheck}` : `refused ${result.error.closeCode}`;
        const wanted = acceptable(bytes) ? `ok ${bytes[4]} ${bytes[5]} ${bytes.readUInt32BE(8)}` : `refused ${CloseCode.HANDSHAKE_FAILED}`;
        same(outcome, wanted);
      }),
      { numRuns: 4000 },
    );
  });

  it('round trip: decode(encode(p)) is p, in 12 bytes', () => {
    fc.assert(
      fc.property(prefaceArb, (preface) => {
        const bytes = encodePreface(preface);
        const back = decodePreface(bytes);
        same(`${bytes.length} ${back.version} ${back.features} ${back.keyCheck}`, `${PREFACE_BYTES} ${preface.version} ${preface.features} ${preface.keyCheck}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('obfuscation agreement: refused with HANDSHAKE_FAILED exactly when one side obfuscates alone or the key checks differ', () => {
    fc.assert(
      fc.property(prefaceArb, prefaceArb, fc.constantFrom('server' as const, 'client' as const), fc.boolean(), (ours, theirs, role, sameKey) => {
        const peer = sameKey ? { ...theirs, keyCheck: ours.keyCheck } : theirs;
        const result = decodeOrError(() => checkObfuscation(ours, peer, role), FrameError);
        const we = (ours.features & Feature.OBFUSCATION) !== 0;
        const they = (peer.features & Feature.OBFUSCATION) !== 0;
        const refused = we !== they || (we && ours.keyCheck !== peer.keyCheck);
        same(result.ok ? 'ok' : `refused ${result.error.closeCode}`, refused ? `refused ${CloseCode.HANDSHAKE_FAILED}` : 'ok');
      }),
      { numRuns: 2000 },
    );
  });
});
