// Property: WINDOW payloads of any length and content, on any stream id, handed to each side's transport (the
// FrameConnection, which checks them before the Dispatcher or Multiplexer sees them): both sides accept exactly
// 4 bytes and reject the rest with a PROTOCOL_ERROR, in flight or not (docs/protocol.md 9, 13.9); on stream 0
// a grant is connection credit, refused with FLOW_CONTROL_ERROR past 2^31-1; grants of any size leave the
// calls and the connection working.
import 'reflect-metadata';
import * as fc from 'fast-check';
import { once } from 'node:events';
import * as net from 'node:net';
import { FrameClient, NodeFrameDecoder, FrameError, FrameKind, FrameServer, CloseCode, decodeGoaway, encodePreface, type FrameConnection } from '../../src/transport';
import { writeFrameHeader } from '../../src/codec/frame-header';
import { FRAME_HEADER_BYTES, PREFACE_BYTES, PROTOCOL_VERSION, Role, WINDOW_PAYLOAD_BYTES } from '../../src/codec/wire';
import { Dispatcher } from '../../src/server/dispatcher';
import { resolveServerCallOptions } from '../../src/server/server-options';
import { MethodRegistry } from '../../src/service/method-registry';
import { Channel } from '../../src/client/channel';
import { createClient } from '../../src/client/create-client';
import { TestServiceDefinition, type Payload } from '../../generated/test/testing';
import { asBuffer, decodeOrError, same } from '../property-helpers';
import { defaultHandlers, deferred, recordingLogger } from './harness';

/** A WINDOW payload as a u32 BE grant. */
function grant(bytes: number): Buffer {
  const payload = Buffer.alloc(WINDOW_PAYLOAD_BYTES);
  payload.writeUInt32BE(bytes, 0);
  return payload;
}

// Any 4 bytes (mostly huge grants), small grants (that stream 0 accepts), and every other length.
const payloadArb = fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }).map(asBuffer), fc.nat({ max: 1 << 20 }).map(grant), fc.uint8Array({ maxLength: 9 }).map(asBuffer));
const MAX_CREDIT = 0x7fff_ffff;

/**
 * Hands `connection` one WINDOW frame as its decoder would, and describes the outcome. A refused grant
 * would close the connection; here the test keeps using it, so the credit the refused grant added is
 * taken back (the next frame then meets the state an open connection really has).
 */
function feedWindow(connection: FrameConnection, id: number, payload: Buffer): string {
  const creditBefore = connection.flow.sendCredit;
  const outcome = decodeOrError(() => connection.onFrame(FrameKind.WINDOW, 0, id, payload), FrameError);
  if (outcome.ok) return 'ok';
  connection.flow.sendCredit = creditBefore;
  return `error ${outcome.error.closeCode}`;
}

/** What the rules say about that frame, for a connection whose send credit is `credit`. */
function wantedOutcome(credit: number, id: number, payload: Buffer): string {
  if (payload.length !== WINDOW_PAYLOAD_BYTES) return `error ${CloseCode.PROTOCOL_ERROR}`;
  if (id === 0 && credit + payload.readUInt32BE(0) > MAX_CREDIT) return `error ${CloseCode.FLOW_CONTROL_ERROR}`;
  return 'ok';
}

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

  it('grants of any size on stream 0, a live call and unknown ids; bad lengths are PROTOCOL_ERROR on both sides', async () => {
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
    // Awaited below; if the property fails first, the channel's close must not become an unhandled rejection.
    void echoed.catch(() => undefined);
    while (dispatcher.callsInFlight === 0) await new Promise((resolve) => setImmediate(resolve));
    const mux = channel.readyMultiplexer();
    if (!mux) throw new Error('no multiplexer');
    const clientConnection = mux.connection as FrameConnection;
    const outcomes = new Set<string>();

    fc.assert(
      fc.property(fc.oneof(fc.constant(0), fc.constant(1), fc.nat({ max: 0xffff_ffff })), payloadArb, (id, payload) => {
        const wanted = `${wantedOutcome(serverConnection.flow.sendCredit, id, payload)} ${wantedOutcome(clientConnection.flow.sendCredit, id, payload)}`;
        const got = `${feedWindow(serverConnection, id, payload)} ${feedWindow(clientConnection, id, payload)}`;
        outcomes.add(got);
        same(got, wanted);
      }),
      { numRuns: 3000 },
    );
    // Every branch was reached, not only the cheap one.
    for (const outcome of ['ok ok', `error ${CloseCode.PROTOCOL_ERROR} error ${CloseCode.PROTOCOL_ERROR}`]) expect(outcomes).toContain(outcome);
    expect([...outcomes].some((outcome) => outcome.includes(`error ${CloseCode.FLOW_CONTROL_ERROR}`))).toBe(true);
    expect(dispatcher.callsInFlight).toBe(1);

    // Neither side's flow control was broken by the grants: the held call streams its messages both ways.
    release.resolve();
    expect(await echoed).toEqual(sent.map((p) => p.seq));
    expect(serverConnection.state).toBe('open');
    expect(clientConnection.state).toBe('open');
    expect((await client.unary({ body: Buffer.from('after'), seq: 7 })).seq).toBe(7);
  });

  it('on the wire: a client sent a WINDOW of another size, for an id it never used, closes with a PROTOCOL_ERROR GOAWAY', async () => {
    // A raw server: a valid version-2 server preface, then a 3-byte WINDOW on stream 7; it reads what the client answers.
    const received: { kind: number; payload: Buffer }[] = [];
    const decoder = new NodeFrameDecoder(0xffff_ffff, { onFrame: (kind, _flags, _id, payload) => received.push({ kind, payload: Buffer.from(payload) }) });
    let preface = Buffer.alloc(0);
    let clientEnded: () => void = () => undefined;
    const ended = new Promise<void>((resolve) => (clientEnded = resolve));
    const raw = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('end', () => clientEnded()); // every byte before the client's FIN has been decoded
      socket.on('data', (chunk: Buffer) => {
        if (preface.length < PREFACE_BYTES) {
          const all = Buffer.concat([preface, chunk]);
          preface = all.subarray(0, PREFACE_BYTES);
          chunk = all.subarray(PREFACE_BYTES);
        }
        decoder.push(chunk);
      });
      const window = Buffer.alloc(FRAME_HEADER_BYTES + 3);
      writeFrameHeader(window, 0, 3, FrameKind.WINDOW, 0, 7);
      socket.write(Buffer.concat([encodePreface({ version: PROTOCOL_VERSION, features: 0, role: Role.SERVER, keyCheck: 0, connectionWindow: 1 << 20, streamWindow: 1 << 16 }), window]));
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    const frameClient = new FrameClient({ port: (raw.address() as net.AddressInfo).port, reconnect: false });
    try {
      const connection = await frameClient.connect();
      const closed = once(connection, 'close');
      connection.start({ onFrame() {} });
      const [info] = (await closed) as [{ code: number; reason: string; remote: boolean }];
      expect(info).toMatchObject({ code: CloseCode.PROTOCOL_ERROR, remote: false, reason: `WINDOW payload must be ${WINDOW_PAYLOAD_BYTES} bytes, got 3` });
      await ended;
      expect(preface[6]).toBe(Role.CLIENT);
      const goaway = received.find((frame) => frame.kind === FrameKind.GOAWAY);
      expect(goaway && decodeGoaway(goaway.payload)).toEqual({ code: CloseCode.PROTOCOL_ERROR, lastCallId: 0, reason: info.reason });
    } finally {
      frameClient.close();
      await new Promise<void>((resolve) => raw.close(() => resolve()));
    }
  });
});
