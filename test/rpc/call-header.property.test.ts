// Property: any CALL payload either decodes or fails with RpcError INVALID_ARGUMENT and a reason; the
// per-connection metadata cache never changes what a payload decodes to; encode then decode is the identity.
import * as fc from 'fast-check';
import { decodeCallHeader, encodeCallHeader, newMetadataCache, type CallHeader } from '../../src/rpc/call-header';
import { RpcError } from '../../src/rpc/rpc-error';
import { Status } from '../../src/rpc/status';
import { asBuffer, decodeOrError, mutationArb, mutate, same, validOrMutated, type Decoded } from '../property-helpers';
import { entriesOf, messageArb, metadataArb, methodArb } from './rpc-arbitraries';

const callArb = fc.record({
  method: methodArb,
  timeoutMs: fc.nat({ max: 0xffff_ffff }),
  metadata: fc.option(metadataArb, { nil: undefined }),
  message: messageArb,
});

const validPayloadArb = callArb.map((call) => encodeCallHeader(Buffer.from(call.method, 'latin1'), call.timeoutMs, call.metadata, call.message));
const inputArb = fc.oneof(fc.uint8Array({ maxLength: 80 }).map(asBuffer), validOrMutated(validPayloadArb));

function describeOutcome(result: Decoded<CallHeader, RpcError>): string {
  if (!result.ok) return `error ${result.error.code} ${result.error.message}`;
  const { timeoutMs, method, metadata, message } = result.value;
  return `ok ${timeoutMs} ${JSON.stringify(method)} ${entriesOf(metadata)} ${message === undefined ? '-' : message.toString('hex')}`;
}

describe('CALL header decoder property', () => {
  it('arbitrary and damaged payloads decode consistently with their bytes, or fail with INVALID_ARGUMENT', () => {
    fc.assert(
      fc.property(inputArb, (payload) => {
        const result = decodeOrError(() => decodeCallHeader(payload), RpcError);
        if (!result.ok) {
          if (result.error.code !== Status.INVALID_ARGUMENT) throw result.error;
          return;
        }
        const { timeoutMs, method, message } = result.value;
        // The fixed fields are where the format puts them; the request, when flagged, is the payload's tail.
        const tail = message === undefined ? '-' : payload.subarray(payload.length - message.length).toString('hex');
        same(
          `${timeoutMs} ${method.length} ${message !== undefined} ${tail}`,
          `${payload.readUInt32BE(0)} ${payload[5]} ${(payload[4] & 1) === 1} ${message === undefined ? '-' : message.toString('hex')}`,
        );
      }),
      { numRuns: 4000 },
    );
  });

  it('a shared metadata cache decodes every payload of a connection exactly as a fresh decode does', () => {
    // Few distinct metadata blocks, so consecutive calls often repeat (cache hits) or nearly repeat (near misses).
    const pool = fc.array(metadataArb, { minLength: 1, maxLength: 3 });
    const connectionArb = pool.chain((blocks) =>
      fc.array(
        fc
          .tuple(fc.nat({ max: blocks.length - 1 }), methodArb, messageArb, fc.array(mutationArb, { maxLength: 1 }))
          .map(([which, method, message, mutations]) => mutate(encodeCallHeader(Buffer.from(method, 'latin1'), 0, blocks[which], message), mutations)),
        { minLength: 1, maxLength: 8 },
      ),
    );
    fc.assert(
      fc.property(connectionArb, (payloads) => {
        const cache = newMetadataCache();
        const cached = payloads.map((payload) => describeOutcome(decodeOrError(() => decodeCallHeader(payload, cache), RpcError)));
        const fresh = payloads.map((payload) => describeOutcome(decodeOrError(() => decodeCallHeader(payload), RpcError)));
        same(cached.join('\n'), fresh.join('\n'));
      }),
      { numRuns: 2000 },
    );
  });

  it('round trip: method, timeout, metadata and request come back as encoded', () => {
    fc.assert(
      fc.property(callArb, (call) => {
        const payload = encodeCallHeader(Buffer.from(call.method, 'latin1'), call.timeoutMs, call.metadata, call.message);
        const wanted = `ok ${call.timeoutMs} ${JSON.stringify(call.method)} ${call.metadata ? entriesOf(call.metadata) : '[]'} ${call.message === undefined ? '-' : Buffer.from(call.message).toString('hex')}`;
        same(describeOutcome(decodeOrError(() => decodeCallHeader(payload), RpcError)), wanted);
      }),
      { numRuns: 2000 },
    );
  });
});
