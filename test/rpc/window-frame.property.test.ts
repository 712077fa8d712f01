// Property: WINDOW payloads (decoded inline by the server's Dispatcher and the client's Multiplexer) of any
// length and content, on any call id: the server accepts exactly 4 bytes and rejects the rest with a
// PROTOCOL_ERROR, the client never throws; grants of any size leave the calls and the connection working.
import 'reflect-metadata';
import * as fc from 'fast-check';
import { once } from 'node:events';
import { FrameError, FrameKind, FrameServer, CloseCode, type FrameConnection } from '../../src/transport';
import { Dispatcher } from '../../src/server/dispatcher';
import { resolveServerCallOptions } from '../../src/server/server-options';
import { MethodRegistry } from '../../src/service/method-registry';
import { Channel } from '../../src/client/channel';
import { createClient } from '../../src/client/create-client';
import { TestServiceDefinition, type Payload } from '../../generated/test/testing';
import { asBuffer, decodeOrError, same } from '../property-helpers';
import { defaultHandlers, deferred, recordingLogger } from './harness';

const payloadArb = fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ maxLength: 9 })).map(asBuffer);

describe('WINDOW frames of any shape', () => {
  let server: FrameServer;
  let channel: Channel;
  let dispatcher: Dispatcher;
  let serverConnection: FrameConnection;

  beforeAll(async () => {
    // The real Dispatcher on a real connection, built by hand so the test can hand it frames directly.
    server = new FrameServer({});
    const registry = new MethodRegistry();
    const handlers = defaultHandlers();
    registry.add(TestServiceDefinition, 'TestService', handlers, () => handlers);
    const options = resolveServerCallOptions({ logger: recordingLogger() });
    const connected = once(server, 'connection');
    server.on('connection', (connection: FrameConnection) => {
      dispatcher = new Dispatcher(connection, registry, options);
      connection.start(dispatcher);
    });
    const { port } = await server.listen(0);
    channel = new Channel({ host: '127.0.0.1', port });
    await channel.connect();
    [serverConnection] = (await connected) as [FrameConnection];
  });

  afterAll(async () => {
    channel.close();
    await server.close(0);
  });

  it('grants of any size on a live call and unknown ones; bad lengths are PROTOCOL_ERROR on the server, ignored by the client', async () => {
    const client = createClient(TestServiceDefinition, channel);
    // A bidi call held open on both sides: its id is the channel's first, 1.
    const release = deferred();
    // The injected grants tell each side it may send more than its receiver granted (a receiver treats
    // that as RESOURCE_EXHAUSTED), so the stream stays within the initial window of 64 messages.
    const sent: Payload[] = Array.from({ length: 64 }, (_, i) => ({ body: Buffer.from([i]), seq: i }));
    const requests = (async function* (): AsyncIterable<Payload> {
      await release.promise;
      yield* sent;
    })();
    const echoed = (async () => {
      const seqs: number[] = [];
      for await (const reply of client.bidi(requests)) seqs.push(reply.seq);
      return seqs;
    })();
    while (dispatcher.callsInFlight === 0) await new Promise((resolve) => setImmediate(resolve));
    const mux = channel.readyMultiplexer();
    if (!mux) throw new Error('no multiplexer');

    fc.assert(
      fc.property(fc.oneof(fc.constant(1), fc.nat({ max: 0xffff_ffff })), payloadArb, (id, payload) => {
        const onServer = decodeOrError(() => dispatcher.onFrame(FrameKind.WINDOW, 0, id, payload), FrameError);
        const onClient = decodeOrError(() => mux.onFrame(FrameKind.WINDOW, 0, id, payload), FrameError);
        same(
          `${onServer.ok ? 'ok' : `error ${onServer.error.code}`} ${onClient.ok ? 'ok' : 'error'}`,
          `${payload.length === 4 ? 'ok' : `error ${CloseCode.PROTOCOL_ERROR}`} ok`,
        );
      }),
      { numRuns: 3000 },
    );

    // Neither side's flow control was broken by the grants: the held call streams its messages both ways.
    release.resolve();
    expect(await echoed).toEqual(sent.map((p) => p.seq));
    expect(serverConnection.state).toBe('open');
    expect((await client.unary({ body: Buffer.from('after'), seq: 7 })).seq).toBe(7);
  });
});
