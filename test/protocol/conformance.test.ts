// Conformance of the real FrameServer with docs/protocol.md, checked through doc-client.ts: a client
// written from the document alone. If these pass, the document was enough to interoperate.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  encodeFrame as srcEncodeFrame,
  encodeGoaway as srcEncodeGoaway,
  encodePreface as srcEncodePreface,
  FrameServer,
  type CloseInfo,
  type FrameConnection,
  type FrameServerOptions,
  type RejectedConnection,
} from '../../src/transport';
import { Code, DocClient, type DocClientOptions, DocRefusal, encodeFrame, encodeGoaway, encodePreface, Feature, Flag, Kind, keyCheck, xor } from './doc-client';

const KEY = Buffer.from('k3y');
const PLAIN = { compressMinBytes: Infinity, compressionLevel: 0, xorKey: undefined };

interface SeenFrame {
  kind: number;
  flags: number;
  streamId: number;
  length: number;
}

interface EchoServer {
  server: FrameServer;
  port: number;
  /** Frames the server's sink received (flags as on the wire). */
  seen: SeenFrame[];
  /** The next connection the server accepts. */
  nextConnection(): Promise<FrameConnection>;
  /** The next connection the server refuses. */
  nextRejected(): Promise<RejectedConnection>;
}

const servers: FrameServer[] = [];
const clients: DocClient[] = [];

/** The echo server of the brief: every application frame goes back as sent, on the same stream. */
async function echoServer(options: FrameServerOptions = {}): Promise<EchoServer> {
  const server = new FrameServer(options);
  servers.push(server);
  const seen: SeenFrame[] = [];
  server.on('connection', (c) =>
    c.start({
      onFrame: (k, f, s, p) => {
        seen.push({ kind: k, flags: f, streamId: s, length: p.length });
        c.send(k, 0, s, p);
      },
    }),
  );
  const { port } = await server.listen(0);
  return {
    server,
    port,
    seen,
    nextConnection: () => new Promise((resolve) => server.once('connection', resolve)),
    nextRejected: () => new Promise((resolve) => server.once('rejected', resolve)),
  };
}

async function connect(options: DocClientOptions): Promise<DocClient> {
  const client = await DocClient.connect(options);
  clients.push(client);
  return client;
}

function refusalOf(attempt: Promise<DocClient>): Promise<DocRefusal> {
  return attempt.then(
    () => {
      throw new Error('the handshake was expected to be refused');
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(DocRefusal);
      return error as DocRefusal;
    },
  );
}

function closeOf(connection: FrameConnection): Promise<CloseInfo> {
  return new Promise((resolve) => connection.once('close', resolve));
}

const hex = (bytes: Uint8Array): string =>
  Buffer.from(bytes)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.destroy()));
  await Promise.all(servers.splice(0).map((server) => server.close(0)));
});

describe('worked examples of docs/protocol.md', () => {
  // The document's example blocks, with runs of spaces collapsed, must contain each encoding.
  const doc = readFileSync(join(__dirname, '../../docs/protocol.md'), 'utf8').replace(/ {2,}/g, ' ');
  const examples: [string, Buffer, Buffer][] = [
    ['client preface, no features', encodePreface(0), Buffer.from(srcEncodePreface({ version: 2, features: 0, role: 1, keyCheck: 0, connectionWindow: 1024 * 1024, streamWindow: 64 * 1024 }))],
    [
      'server preface with compression',
      encodePreface(Feature.COMPRESSION, undefined, 2),
      Buffer.from(srcEncodePreface({ version: 2, features: 1, role: 2, keyCheck: 0, connectionWindow: 1024 * 1024, streamWindow: 64 * 1024 })),
    ],
    [
      'preface with compression and key',
      encodePreface(Feature.COMPRESSION | Feature.OBFUSCATION, KEY),
      Buffer.from(srcEncodePreface({ version: 2, features: 3, role: 1, keyCheck: keyCheck(KEY), connectionWindow: 1024 * 1024, streamWindow: 64 * 1024 })),
    ],
    ['DATA "hi" on stream 7', encodeFrame(Kind.DATA, 0, 7, Buffer.from('hi')), srcEncodeFrame(Kind.DATA, 0, 7, Buffer.from('hi'), PLAIN)],
    ['DATA "hi" on stream 7, obfuscated', encodeFrame(Kind.DATA, Flag.OBFUSCATED, 7, xor(Buffer.from('hi'), KEY)), srcEncodeFrame(Kind.DATA, 0, 7, Buffer.from('hi'), { ...PLAIN, xorKey: KEY })],
    [
      'GOAWAY SHUTTING_DOWN',
      encodeFrame(Kind.GOAWAY, 0, 0, encodeGoaway(Code.SHUTTING_DOWN, 'server shutting down')),
      srcEncodeFrame(Kind.GOAWAY, 0, 0, srcEncodeGoaway(8, 'server shutting down'), PLAIN),
    ],
    ['GOAWAY NORMAL "bye"', encodeFrame(Kind.GOAWAY, 0, 0, encodeGoaway(Code.NORMAL, 'bye')), srcEncodeFrame(Kind.GOAWAY, 0, 0, srcEncodeGoaway(0, 'bye'), PLAIN)],
    ['PING', encodeFrame(Kind.PING, 0, 0, Buffer.from('0001020304050607', 'hex')), srcEncodeFrame(1, 0, 0, Buffer.from('0001020304050607', 'hex'), PLAIN)],
    ['PONG', encodeFrame(Kind.PONG, 0, 0, Buffer.from('0001020304050607', 'hex')), srcEncodeFrame(2, 0, 0, Buffer.from('0001020304050607', 'hex'), PLAIN)],
    [
      'compressed and obfuscated DATA',
      encodeFrame(Kind.DATA, Flag.COMPRESSED | Flag.OBFUSCATED, 1, xor(Buffer.from('7801cb48cdc9c957c8402701680308b1', 'hex'), KEY)),
      srcEncodeFrame(Kind.DATA, 0, 1, Buffer.from('hello hello hello hello'), { compressMinBytes: 16, compressionLevel: 1, xorKey: KEY }),
    ],
  ];

  it.each(examples)('%s: doc-client, src and the document agree', (_name, fromDoc, fromSrc) => {
    expect(hex(fromDoc)).toBe(hex(fromSrc));
    expect(doc).toContain(hex(fromDoc));
  });
});

describe('preface exchange', () => {
  it('answers a client preface without features with a preface advertising compression', async () => {
    const { port, nextConnection } = await echoServer();
    const accepted = nextConnection();
    const client = await connect({ port });
    expect(hex(client.serverPreface)).toBe('46 52 50 43 02 01 02 00 00 00 00 00 00 80 00 00 00 02 00 00');
    const connection = await accepted;
    expect(connection.state).toBe('open');
  });

  it('advertises no features when the server has compression off', async () => {
    const { port } = await echoServer({ compression: false });
    const client = await connect({ port, compression: true });
    expect(hex(client.serverPreface)).toBe('46 52 50 43 02 00 02 00 00 00 00 00 00 80 00 00 00 02 00 00');
  });

  it('advertises obfuscation with the key check of a shared key', async () => {
    const { port } = await echoServer({ xorKey: KEY });
    const client = await connect({ port, key: KEY });
    expect(hex(client.serverPreface)).toBe('46 52 50 43 02 03 02 00 a4 9b 12 87 00 80 00 00 00 02 00 00');
  });
});

describe('DATA echo', () => {
  it('returns "hi" on stream 7 unchanged (plain)', async () => {
    const { port, seen } = await echoServer();
    const client = await connect({ port });
    client.send(Kind.DATA, 7, Buffer.from('hi'));
    const frame = await client.nextFrame((f) => f.kind === Kind.DATA);
    expect(frame).toEqual({ kind: Kind.DATA, flags: 0, streamId: 7, payload: Buffer.from('hi'), wireLength: 2 });
    expect(seen).toEqual([{ kind: Kind.DATA, flags: 0, streamId: 7, length: 2 }]);
    expect(client.violation).toBeUndefined();
  });

  it('compresses both ways above compressMinBytes when both advertise COMPRESSION', async () => {
    const { port, seen } = await echoServer({ sendCompression: true, compressMinBytes: 16 });
    const client = await connect({ port, compression: true, compressMinBytes: 16 });
    const big = Buffer.from('compress me please '.repeat(300));
    client.send(Kind.DATA, 1, big);
    client.send(Kind.DATA, 2, Buffer.from('short'));
    const first = await client.nextFrame((f) => f.streamId === 1);
    const second = await client.nextFrame((f) => f.streamId === 2);
    expect(first.flags).toBe(Flag.COMPRESSED);
    expect(first.wireLength).toBeLessThan(big.length / 10);
    expect(first.payload.equals(big)).toBe(true);
    expect(second).toMatchObject({ flags: 0, payload: Buffer.from('short') });
    // The server's sink saw our frame as sent: COMPRESSED, already inflated.
    expect(seen[0]).toEqual({ kind: Kind.DATA, flags: Flag.COMPRESSED, streamId: 1, length: big.length });
    expect(client.violation).toBeUndefined();
  });

  it('never sends COMPRESSED to a client that did not advertise COMPRESSION', async () => {
    const { port } = await echoServer({ sendCompression: true, compressMinBytes: 16 });
    const client = await connect({ port });
    const big = Buffer.alloc(5000, 'a');
    client.send(Kind.DATA, 3, big);
    const frame = await client.nextFrame();
    expect(frame).toMatchObject({ flags: 0, wireLength: big.length });
    expect(frame.payload.equals(big)).toBe(true);
  });

  it.each([
    ['obfuscated', false],
    ['compressed and obfuscated', true],
  ])('echoes with a shared XOR key (%s), every frame flagged OBFUSCATED', async (_name, compression) => {
    const { port, seen } = await echoServer({ xorKey: KEY, sendCompression: true, compressMinBytes: 16 });
    const client = await connect({ port, key: KEY, compression, compressMinBytes: 16 });
    const big = Buffer.from('obfuscate me '.repeat(500));
    client.send(Kind.DATA, 7, Buffer.from('hi'));
    client.send(Kind.DATA, 8, Buffer.alloc(0));
    client.send(Kind.DATA, 9, big);
    const hi = await client.nextFrame((f) => f.streamId === 7);
    const empty = await client.nextFrame((f) => f.streamId === 8);
    const large = await client.nextFrame((f) => f.streamId === 9);
    expect(hi).toEqual({ kind: Kind.DATA, flags: Flag.OBFUSCATED, streamId: 7, payload: Buffer.from('hi'), wireLength: 2 });
    expect(empty).toEqual({ kind: Kind.DATA, flags: Flag.OBFUSCATED, streamId: 8, payload: Buffer.alloc(0), wireLength: 0 });
    const compressed = compression ? Flag.COMPRESSED : 0;
    expect(large.flags).toBe(Flag.OBFUSCATED | compressed);
    expect(large.payload.equals(big)).toBe(true);
    // Compression is per direction: the server advertised it, so the large frame reached it compressed.
    expect(seen.map((f) => f.flags)).toEqual([Flag.OBFUSCATED, Flag.OBFUSCATED, Flag.OBFUSCATED | Flag.COMPRESSED]);
    expect(client.violation).toBeUndefined();
  });
});

describe('heartbeat', () => {
  it.each([
    ['plain', undefined],
    ['obfuscated', KEY],
  ])('answering the server PINGs with PONGs keeps the connection open (%s)', async (_name, key) => {
    const { port, nextConnection } = await echoServer({ heartbeatIntervalMs: 40, heartbeatTimeoutMs: 200, xorKey: key });
    const accepted = nextConnection();
    const client = await connect({ port, key });
    const connection = await accepted;
    for (let i = 0; i < 3; i++) {
      const ping = await client.nextFrame((f) => f.kind === Kind.PING);
      expect(ping).toMatchObject({ streamId: 0, flags: key ? Flag.OBFUSCATED : 0, wireLength: 8 });
    }
    expect(connection.state).toBe('open');
    client.send(Kind.DATA, 1, Buffer.from('still here'));
    expect((await client.nextFrame((f) => f.kind === Kind.DATA)).payload.toString()).toBe('still here');
    expect(client.violation).toBeUndefined();
  });

  it('closes with GOAWAY TIMEOUT a client that does not answer', async () => {
    const { port, nextConnection } = await echoServer({ heartbeatIntervalMs: 30, heartbeatTimeoutMs: 30 });
    const accepted = nextConnection();
    const client = await connect({ port, answerPings: false });
    const closed = closeOf(await accepted);
    await client.closed;
    expect(client.goaways).toEqual([{ code: Code.TIMEOUT, reason: expect.stringContaining('PING') }]);
    expect(await closed).toEqual({ code: Code.TIMEOUT, reason: client.goaways[0].reason, remote: false });
  });
});

describe('refused handshakes', () => {
  it('answers a bad magic with a GOAWAY HANDSHAKE_FAILED instead of a preface', async () => {
    const { port, nextRejected } = await echoServer();
    const rejected = nextRejected();
    const refusal = await refusalOf(DocClient.connect({ port, preface: Buffer.from('XRPC\x01\x00\x00\x00\x00\x00\x00\x00', 'latin1') }));
    expect(refusal.code).toBe(Code.HANDSHAKE_FAILED);
    expect(refusal.reason).toMatch(/^not a framerpc peer: expected preface magic "FRPC", got "XRPC/);
    expect(await rejected).toMatchObject({ code: Code.HANDSHAKE_FAILED, reason: refusal.reason });
  });

  it.each([
    ['an unsupported version', { preface: Buffer.from('4652504301000100' + '00000000' + '0010000000010000', 'hex') }, {}, /unsupported protocol version 1/],
    ['a non-zero reserved byte', { preface: Buffer.from('4652504302000101' + '00000000' + '0010000000010000', 'hex') }, {}, /reserved/],
    [
      "a server's role byte (an echo of a server, or a second server)",
      { preface: Buffer.from('4652504302000200' + '00000000' + '0010000000010000', 'hex') },
      {},
      /expected a client's preface, got a server's/,
    ],
    ['a window of zero', { preface: Buffer.from('4652504302000100' + '00000000' + '0000000000010000', 'hex') }, {}, /windows must be positive/],
    ['a key the server does not use', { key: KEY }, {}, /obfuscation mismatch/],
    ['no key when the server uses one', {}, { xorKey: KEY }, /obfuscation mismatch/],
    ['a different key', { key: Buffer.from('other') }, { xorKey: KEY }, /key mismatch/],
  ])('refuses %s with HANDSHAKE_FAILED', async (_name, clientOptions, serverOptions, reason) => {
    const { port } = await echoServer(serverOptions);
    const refusal = await refusalOf(DocClient.connect({ port, ...clientOptions }));
    expect(refusal.code).toBe(Code.HANDSHAKE_FAILED);
    expect(refusal.reason).toMatch(reason);
  });

  it('refuses with SERVER_FULL past maxConnections', async () => {
    const { port } = await echoServer({ maxConnections: 1 });
    await connect({ port });
    const refusal = await refusalOf(DocClient.connect({ port }));
    expect(refusal.code).toBe(Code.SERVER_FULL);
  });
});

describe('protocol violations close the connection with a GOAWAY', () => {
  it.each([
    ['a control frame on a stream other than 0', {}, {}, () => encodeFrame(Kind.PING, 0, 5, Buffer.alloc(8)), Code.PROTOCOL_ERROR],
    ['a PING of 4 bytes', {}, {}, () => encodeFrame(Kind.PING, 0, 0, Buffer.alloc(4)), Code.PROTOCOL_ERROR],
    ['an unknown kind', {}, {}, () => encodeFrame(0x05, 0, 1, Buffer.alloc(0)), Code.PROTOCOL_ERROR],
    ['an unknown flag bit', {}, {}, () => encodeFrame(Kind.DATA, 0b1000, 1, Buffer.alloc(0)), Code.PROTOCOL_ERROR],
    ['a plain frame on an obfuscated connection', { key: KEY }, { xorKey: KEY }, () => encodeFrame(Kind.DATA, 0, 1, Buffer.from('x')), Code.PROTOCOL_ERROR],
    ['COMPRESSED to a server without compression', {}, { compression: false }, () => encodeFrame(Kind.DATA, Flag.COMPRESSED, 1, Buffer.from('x')), Code.PROTOCOL_ERROR],
    ['a payload that does not inflate', {}, {}, () => encodeFrame(Kind.DATA, Flag.COMPRESSED, 1, Buffer.from('not zlib')), Code.COMPRESSION_ERROR],
    // Only the header: the server must refuse on the declared length, before the payload.
    ['a header declaring more than maxFrameBytes', {}, { maxFrameBytes: 1024 }, () => encodeFrame(Kind.DATA, 0, 1, Buffer.alloc(0)).fill(0xff, 0, 1), Code.FRAME_TOO_LARGE],
  ] as [string, Partial<DocClientOptions>, FrameServerOptions, () => Buffer, number][])('rejects %s', async (_name, clientOptions, serverOptions, bytes, code) => {
    const { port } = await echoServer(serverOptions);
    const client = await connect({ port, ...clientOptions });
    client.writeRaw(bytes());
    await client.closed;
    expect(client.goaways).toHaveLength(1);
    expect(client.goaways[0].code).toBe(code);
    expect(client.violation).toBeUndefined();
  });

  it('rejects a payload inflating past maxFrameBytes', async () => {
    const { port } = await echoServer({ maxFrameBytes: 1024 });
    const client = await connect({ port, compression: true, compressMinBytes: 1 });
    client.send(Kind.DATA, 1, Buffer.alloc(1025));
    await client.closed;
    expect(client.goaways).toEqual([{ code: Code.COMPRESSION_ERROR, reason: expect.stringContaining('maxFrameBytes') }]);
  });
});

describe('closing', () => {
  it("the server sees the doc-client's GOAWAY with the same code and reason", async () => {
    const { port, nextConnection } = await echoServer();
    const accepted = nextConnection();
    const client = await connect({ port });
    const connection = await accepted;
    const goaway = new Promise<CloseInfo>((resolve) => connection.once('goaway', resolve));
    const closed = closeOf(connection);
    await client.close(Code.NORMAL, 'doc-client done ✓');
    const expected = { code: Code.NORMAL, reason: 'doc-client done ✓', remote: true };
    expect(await goaway).toMatchObject(expected);
    expect(await closed).toEqual(expected);
  });

  it('graceful shutdown sends GOAWAY SHUTTING_DOWN, then closes', async () => {
    const { server, port, nextConnection } = await echoServer({ xorKey: KEY });
    const accepted = nextConnection();
    const client = await connect({ port, key: KEY });
    await accepted;
    await Promise.all([server.close(1000), client.closed]);
    expect(client.goaways.length).toBeGreaterThanOrEqual(1);
    for (const goaway of client.goaways) expect(goaway).toMatchObject({ code: Code.SHUTTING_DOWN, reason: 'server shutting down' });
    expect(client.violation).toBeUndefined();
  });
});
