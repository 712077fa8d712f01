// Property: any PUSH payload on any stream id either decodes to its topic and message or is a
// PROTOCOL_ERROR with a reason (docs/protocol.md section 14); encode then decode gives back topic and message.
import * as fc from 'fast-check';
import { decodePushPayload, encodePushPayload, isValidTopic } from '../../src/push/push-wire';
import { CloseCode, FrameError } from '../../src/transport';
import { asBuffer, decodeOrError, same, validOrMutated } from '../property-helpers';

const identArb = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.'.split('')), minLength: 1, maxLength: 120 });
const topicArb = fc
  .tuple(identArb, identArb)
  .map(([service, method]) => `/${service}/${method}`)
  .filter(isValidTopic);
const pushArb = fc.tuple(topicArb, fc.uint8Array({ maxLength: 60 }));

describe('PUSH payload decoder property', () => {
  it('arbitrary and damaged payloads on any stream: topic and message as the bytes say, or PROTOCOL_ERROR', () => {
    const inputArb = fc.oneof(fc.uint8Array({ maxLength: 60 }).map(asBuffer), validOrMutated(pushArb.map(([topic, message]) => encodePushPayload(Buffer.from(topic, 'latin1'), message))));
    const streamArb = fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat({ max: 0xffff_ffff }) });
    fc.assert(
      fc.property(streamArb, inputArb, (streamId, payload) => {
        const result = decodeOrError(() => decodePushPayload(streamId, payload), FrameError);
        const fits = streamId === 0 && payload.length >= 1 && payload[0] > 0 && 1 + payload[0] <= payload.length;
        const wanted = fits ? `ok ${JSON.stringify(payload.toString('latin1', 1, 1 + payload[0]))} ${payload.toString('hex', 1 + payload[0])}` : `error ${CloseCode.PROTOCOL_ERROR}`;
        same(result.ok ? `ok ${JSON.stringify(result.value.topic)} ${result.value.message.toString('hex')}` : `error ${result.error.closeCode}`, wanted);
      }),
      { numRuns: 4000 },
    );
  });

  it('round trip: every valid topic and message come back as encoded', () => {
    fc.assert(
      fc.property(pushArb, ([topic, message]) => {
        const back = decodePushPayload(0, encodePushPayload(Buffer.from(topic, 'latin1'), message));
        same(`${back.topic} ${back.message.toString('hex')}`, `${topic} ${Buffer.from(message).toString('hex')}`);
      }),
      { numRuns: 2000 },
    );
  });
});
