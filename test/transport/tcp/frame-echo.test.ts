// A framed echo over real sockets: frames sent are frames received, in order, in one connection.
import { FrameClient, FrameKind, FrameServer, type FrameConnection } from '../../../src/transport';

async function echoServer(options: ConstructorParameters<typeof FrameServer>[0] = {}): Promise<FrameServer> {
  const server = new FrameServer(options);
  server.on('connection', (connection: FrameConnection) => {
    connection.start({ onFrame: (kind, flags, streamId, payload) => connection.send(kind, 0, streamId, payload) });
  });
  await server.listen(0);
  return server;
}

function collect(connection: FrameConnection, count: number): Promise<Buffer[]> {
  return new Promise((resolve) => {
    const frames: Buffer[] = [];
    connection.start({
      onFrame: (_kind, _flags, _streamId, payload) => {
        frames.push(Buffer.from(payload));
        if (frames.length === count) resolve(frames);
      },
    });
  });
}

describe('framed echo over TCP', () => {
  it.each([
    ['plain', {}],
    ['compressed', { sendCompression: true, compressMinBytes: 16 }],
    ['obfuscated', { xorKey: Buffer.from('k3y') }],
    ['compressed and obfuscated', { sendCompression: true, compressMinBytes: 16, xorKey: Buffer.from('another key') }],
  ])('returns every frame in order (%s)', async (_name, options) => {
    const server = await echoServer(options);
    const client = new FrameClient({ port: server.address().port, reconnect: false, ...options });
    const connection = await client.connect();
    const sent = Array.from({ length: 500 }, (_, i) => Buffer.from(`frame ${i} `.repeat(i % 40)));
    const received = collect(connection, sent.length);
    sent.forEach((payload, i) => connection.send(FrameKind.DATA, 0, i, payload));
    // Compared as hex strings: jest's deep equality on Buffers walks them byte by byte (seconds here).
    expect((await received).map((b) => b.toString('hex'))).toEqual(sent.map((b) => b.toString('hex')));
    client.close();
    await server.close();
  });
});
