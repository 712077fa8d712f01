// Per-call and per-message compression: CallOptions.compress for requests, context.compressResponse for
// replies (the gRPC interop compression cases), only ever towards a peer that accepted compression.
import { FrameKind, FrameFlag } from '../../src/codec/wire';
import type { FrameConnection } from '../../src/internal';
import { once } from 'node:events';
import { startHarness, type Harness, type HarnessOptions, type TestClient } from './harness';
import type { Payload } from '../../generated/test/testing';

/** Records the MESSAGE frames (and replies in STATUS frames) a connection receives: compressed or not, by stream. */
function recordFrames(connection: FrameConnection): { kind: 'message' | 'status'; compressed: boolean; streamId: number }[] {
  const frames: { kind: 'message' | 'status'; compressed: boolean; streamId: number }[] = [];
  const onFrame = connection.onFrame.bind(connection);
  // A large plain MESSAGE frame that spans socket reads reaches onFrame in pieces (frame-decoder.ts): the
  // decoder's count of frames moves only when one of the peer's frames is complete, so one is recorded per frame sent.
  // (The connection makes its decoder on the first bytes read, so it is looked up per frame.)
  const framesDecoded = (): number => (connection as unknown as { decoder?: { framesDecoded: number } }).decoder?.framesDecoded ?? 0;
  let framesSeen = framesDecoded();
  jest.spyOn(connection, 'onFrame').mockImplementation((kind, flags, streamId, payload) => {
    const complete = framesDecoded() !== framesSeen;
    framesSeen = framesDecoded();
    if (complete && (kind === FrameKind.MESSAGE || (kind === FrameKind.STATUS && payload.length > 8))) {
      frames.push({ kind: kind === FrameKind.MESSAGE ? 'message' : 'status', compressed: (flags & FrameFlag.COMPRESSED) !== 0, streamId });
    }
    onFrame(kind, flags, streamId, payload);
  });
  return frames;
}

const body = (bytes: number): Buffer => Buffer.alloc(bytes, 'abc');

describe('compression chosen per call and per message', () => {
  let h: Harness;
  afterEach(() => h.close());

  async function start(options: HarnessOptions = {}): Promise<{ client: TestClient; atServer: ReturnType<typeof recordFrames>; atClient: ReturnType<typeof recordFrames> }> {
    h = await startHarness(
      {
        async unary(request, context) {
          context.compressResponse = request.seq === 1 ? true : request.seq === 2 ? false : undefined;
          return request;
        },
        async *serverStream(request, context) {
          for (let i = 0; i < request.seq; i++) {
            context.compressResponse = i % 2 === 0; // first compressed, second not, ...
            yield { body: request.body, seq: i };
          }
        },
      },
      options,
    );
    // The harness's own channel is left alone; this one is watched from its first frame.
    const serverConnection = once(h.server, 'connection') as Promise<[FrameConnection]>;
    const { channel, client } = await h.connect(options.channel);
    const [connection] = await serverConnection;
    return { client, atServer: recordFrames(connection), atClient: recordFrames(channel.readyMultiplexer()!.connection as FrameConnection) };
  }

  test('client_compressed_unary: compress: true compresses a small request, false keeps a large one plain', async () => {
    const { client, atServer } = await start({ channel: { sendCompression: true } });
    await client.unary({ body: body(10), seq: 0 }, { compress: true });
    await client.unary({ body: body(5000), seq: 0 }, { compress: false });
    await client.unary({ body: body(5000), seq: 0 }); // the channel's rule: large, compressed
    expect(atServer.map((frame) => frame.compressed)).toEqual([true, false]);
    // The last one rode in its CALL frame (not recorded); the first two went as MESSAGE frames.
  });

  test('server_compressed_unary: context.compressResponse chooses per reply', async () => {
    const { client, atClient } = await start();
    await expect(client.unary({ body: body(10), seq: 1 })).resolves.toMatchObject({ seq: 1 });
    await expect(client.unary({ body: body(10), seq: 2 })).resolves.toMatchObject({ seq: 2 });
    expect(atClient.map((frame) => [frame.kind, frame.compressed])).toEqual([
      ['message', true],
      ['message', false],
    ]);
  });

  test('client_compressed_streaming: a function chooses per request message', async () => {
    const { client, atServer } = await start();
    const sum = await client.clientStream(
      (async function* (): AsyncIterable<Payload> {
        yield { body: body(100), seq: 1 };
        yield { body: body(100), seq: 2 };
        yield { body: body(100), seq: 3 };
      })(),
      { compress: (index) => index === 0 },
    );
    expect(sum).toEqual({ total: 6, count: 3 });
    expect(atServer.map((frame) => frame.compressed)).toEqual([true, false, false]);
  });

  test('server_compressed_streaming: set before each yield; kept for messages waiting in the scheduler', async () => {
    const { client, atClient } = await start();
    const seen: number[] = [];
    for await (const message of client.serverStream({ body: body(30), seq: 4 })) seen.push(message.seq);
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(atClient.map((frame) => frame.compressed)).toEqual([true, false, true, false]);
    // Over 64 KiB a message is queued and leaves in two fragments: each fragment follows its message's choice.
    atClient.length = 0;
    for await (const _ of client.serverStream({ body: body(100_000), seq: 6 })) {
      /* drain */
    }
    expect(atClient.map((frame) => frame.compressed)).toEqual([true, true, false, false, true, true, false, false, true, true, false, false]);
  });

  test('large request messages queued with their choices, in a request stream', async () => {
    const { client, atServer } = await start();
    const sum = await client.clientStream(
      (async function* (): AsyncIterable<Payload> {
        for (let seq = 1; seq <= 4; seq++) yield { body: body(100_000), seq };
      })(),
      { compress: (index) => index % 2 === 1 },
    );
    expect(sum).toEqual({ total: 10, count: 4 });
    expect(atServer.map((frame) => frame.compressed)).toEqual([false, false, true, true, false, false, true, true]);
  });

  test('never towards a peer that did not accept compression', async () => {
    const { client, atServer, atClient } = await start({ server: { compression: false }, channel: { compression: false } });
    await expect(client.unary({ body: body(10), seq: 1 }, { compress: true })).resolves.toMatchObject({ seq: 1 });
    for await (const _ of client.serverStream({ body: body(10), seq: 2 })) {
      /* drain */
    }
    expect(atServer.map((frame) => frame.compressed)).toEqual([false]);
    expect(atClient.map((frame) => frame.compressed)).toEqual([false, false, false]);
  });

  test('a compress option that is not a boolean or function fails the call before sending', async () => {
    const { client } = await start();
    await expect(client.unary({ seq: 1 }, { compress: 'yes' as unknown as boolean })).rejects.toMatchObject({ code: 3 });
  });
});
