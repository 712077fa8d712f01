// Property: whatever a server sends for a call in flight (STATUS, HEADERS, MESSAGE, WINDOW frames with
// arbitrary or damaged payloads, in any order), the Multiplexer never throws and the caller's promise
// settles with a response or an RpcError carrying one of the 17 codes and a message.
import * as fc from 'fast-check';
import { RpcError } from '../../src';
import { encodeCallStatus } from '../../src/rpc/call-status';
import { Status, isStatus } from '../../src/rpc/status';
import { FrameKind } from '../../src/transport';
import { Payload } from '../../generated/test/testing';
import { asBuffer, same, validOrMutated } from '../property-helpers';
import { deferred, startHarness, type Harness } from '../rpc/harness';
import { metadataArb, encodeMetadata } from '../rpc/rpc-arbitraries';

const replyBytes = Buffer.from(Payload.encode({ body: Buffer.from('ok'), seq: 1 }).finish());
const statusArb = fc
  .record({ code: fc.nat({ max: 20 }), text: fc.string({ maxLength: 10 }), trailers: fc.option(metadataArb, { nil: undefined }), message: fc.option(fc.constant(replyBytes), { nil: undefined }) })
  .map((s) => {
    const payload = encodeCallStatus(Status.OK, s.text, '', s.trailers, s.message);
    payload[0] = s.code; // codes 17-20 are not status codes
    return payload;
  });
const frameArb = fc.oneof(
  fc.record({ kind: fc.constant(FrameKind.STATUS), payload: fc.oneof(validOrMutated(statusArb), fc.uint8Array({ maxLength: 20 }).map(asBuffer)) }),
  fc.record({ kind: fc.constant(FrameKind.HEADERS), payload: fc.oneof(validOrMutated(metadataArb.map(encodeMetadata)), fc.uint8Array({ maxLength: 10 }).map(asBuffer)) }),
  fc.record({ kind: fc.constant(FrameKind.MESSAGE), payload: validOrMutated(fc.constant(replyBytes)) }),
  fc.record({ kind: fc.constantFrom(FrameKind.WINDOW, FrameKind.CALL, FrameKind.DATA), payload: fc.uint8Array({ maxLength: 6 }).map(asBuffer) }),
);

describe('Multiplexer: a server sending anything for a call in flight', () => {
  let h: Harness;
  const release = deferred();
  beforeAll(async () => {
    // The server holds every call, so the only answers a call gets are the frames the property injects.
    h = await startHarness({ unary: () => release.promise.then(() => ({ body: Buffer.alloc(0), seq: 0 })) });
  });
  afterAll(async () => {
    release.resolve();
    await h.close();
  });

  it('never throws; the call settles with a response or an RpcError with a status code and a message', async () => {
    const mux = h.channel.readyMultiplexer();
    if (!mux) throw new Error('no multiplexer');
    let nextId = 1;
    await fc.assert(
      fc.asyncProperty(fc.array(frameArb, { maxLength: 4 }), fc.boolean(), async (frames, withHeadersListener) => {
        const id = nextId++; // the channel numbers calls from 1
        const outcome = h.client.unary({ body: Buffer.from('q'), seq: 1 }, withHeadersListener ? { onHeaders: () => undefined } : undefined).then(
          (reply) => `reply ${reply.seq}`,
          (error: unknown) => {
            if (!(error instanceof RpcError)) throw error;
            return `error ${isStatus(error.code)} ${error.message.length > 0}`;
          },
        );
        for (const frame of frames) mux.onFrame(frame.kind, 0, id, frame.payload);
        // Whatever came before, a final STATUS ends the call if it is still open (a settled call ignores it).
        mux.onFrame(FrameKind.STATUS, 0, id, encodeCallStatus(Status.ABORTED, 'end of the run', '', undefined, undefined));
        const result = await outcome;
        // A damaged message may still decode (to another Payload): any reply is a settled call.
        same(result.startsWith('reply ') ? 'reply' : result, result.startsWith('reply ') ? 'reply' : 'error true true');
        same(`${mux.callsInFlight}`, '0');
      }),
      { numRuns: 1000 },
    );
    // The connection is unharmed.
    expect(h.channel.state).toBe('open');
  });
});
