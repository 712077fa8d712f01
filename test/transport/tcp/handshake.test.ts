// The 12-byte preface exchange over real sockets: peers that are not framerpc, speak another version,
// or disagree on the XOR key are refused with a GOAWAY naming why, and the server keeps serving.
import * as net from 'node:net';
import { CloseCode, FrameClient, FrameError, PROTOCOL_VERSION } from '../../../src/transport';
import { closeClient, expectHealthyEcho, startEchoServer, type EchoServer } from './helpers';
import { RawPeer, validPreface } from './raw-peer';

let echo: EchoServer | undefined;
const peers: RawPeer[] = [];
const clients: FrameClient[] = [];

afterEach(async () => {
  await Promise.all(peers.splice(0).map((peer) => peer.destroy()));
  await Promise.all(clients.splice(0).map(closeClient));
  await echo?.server.close(0);
  echo = undefined;
});

async function refusedRawPeer(bytes: Buffer): Promise<{ goaway: { code: number; reason: string }; peer: RawPeer }> {
  const peer = await RawPeer.connect(echo!.port, bytes);
  peers.push(peer);
  const goaway = await peer.goaway();
  expect(peer.serverPreface).toBeUndefined();
  await peer.closed;
  return { goaway, peer };
}

describe('Handshake: peers that are not framerpc', () => {
  it('refuses an HTTP request instead of the preface', async () => {
    echo = await startEchoServer();
    const { goaway } = await refusedRawPeer(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    expect(goaway.code).toBe(CloseCode.HANDSHAKE_FAILED);
    expect(goaway.reason).toBe('not a framerpc peer: expected preface magic "FRPC", got "GET "');
    expect(await echo.nextRejected()).toMatchObject({ code: CloseCode.HANDSHAKE_FAILED, reason: goaway.reason, remoteAddress: '127.0.0.1' });
    await expectHealthyEcho(echo.port);
  });

  it('refuses a wrong magic as soon as the first byte differs', async () => {
    echo = await startEchoServer();
    const { goaway } = await refusedRawPeer(Buffer.from('X'));
    expect(goaway).toMatchObject({ code: CloseCode.HANDSHAKE_FAILED, reason: 'not a framerpc peer: expected preface magic "FRPC", got "X"' });
    await expectHealthyEcho(echo.port);
  });

  it('refuses a wrong protocol version', async () => {
    echo = await startEchoServer();
    const preface = validPreface();
    preface[4] = PROTOCOL_VERSION + 1;
    const { goaway } = await refusedRawPeer(preface);
    expect(goaway).toMatchObject({ code: CloseCode.HANDSHAKE_FAILED, reason: `unsupported protocol version ${PROTOCOL_VERSION + 1} (this side speaks ${PROTOCOL_VERSION})` });
    expect((await echo.nextRejected()).reason).toBe(goaway.reason);
    await expectHealthyEcho(echo.port);
  });

  it('refuses non-zero reserved bytes', async () => {
    echo = await startEchoServer();
    const preface = validPreface();
    preface[7] = 1;
    const { goaway } = await refusedRawPeer(preface);
    expect(goaway).toMatchObject({ code: CloseCode.HANDSHAKE_FAILED, reason: 'preface reserved byte must be zero' });
    await expectHealthyEcho(echo.port);
  });

  it('makes a client fail fast when the server is not framerpc', async () => {
    const http = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.resume();
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const client = new FrameClient({ port: (http.address() as net.AddressInfo).port, reconnect: {} });
    clients.push(client);
    const error = await client.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FrameError);
    expect((error as FrameError).closeCode).toBe(CloseCode.HANDSHAKE_FAILED);
    expect((error as FrameError).message).toBe('client closed: not a framerpc peer: expected preface magic "FRPC", got "HTTP"');
    // HANDSHAKE_FAILED is permanent: the client stops even though reconnecting was on.
    expect(client.state).toBe('closed');
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });
});

describe('Handshake: XOR obfuscation keys', () => {
  it('refuses a client with a different key: connect() rejects and the server emits rejected', async () => {
    echo = await startEchoServer({ xorKey: Buffer.from('server key') });
    const client = new FrameClient({ port: echo.port, reconnect: {}, xorKey: Buffer.from('client key') });
    clients.push(client);
    const rejected = echo.nextRejected();
    await expect(client.connect()).rejects.toThrow(/^client closed: obfuscation key mismatch/);
    expect(client.lastCloseInfo).toMatchObject({ code: CloseCode.HANDSHAKE_FAILED });
    expect(client.state).toBe('closed');
    expect(await rejected).toMatchObject({ code: CloseCode.HANDSHAKE_FAILED, reason: expect.stringMatching(/^obfuscation key mismatch/) });
    await expectHealthyEcho(echo.port, { xorKey: Buffer.from('server key') });
  });

  it('refuses a client without a key when the server has one', async () => {
    echo = await startEchoServer({ xorKey: Buffer.from('server key') });
    const client = new FrameClient({ port: echo.port, reconnect: false });
    clients.push(client);
    await expect(client.connect()).rejects.toThrow(/obfuscation mismatch/);
    expect(client.lastCloseInfo?.code).toBe(CloseCode.HANDSHAKE_FAILED);
    expect((await echo.nextRejected()).reason).toMatch(/^obfuscation mismatch/);
    await expectHealthyEcho(echo.port, { xorKey: Buffer.from('server key') });
  });

  it('refuses a client with a key when the server has none', async () => {
    echo = await startEchoServer();
    const client = new FrameClient({ port: echo.port, reconnect: false, xorKey: Buffer.from('client key') });
    clients.push(client);
    await expect(client.connect()).rejects.toThrow(/obfuscation mismatch/);
    expect((await echo.nextRejected()).code).toBe(CloseCode.HANDSHAKE_FAILED);
    await expectHealthyEcho(echo.port);
  });

  it('passes frames sent right behind the preface (in the same write) to the connection', async () => {
    echo = await startEchoServer();
    const { rawFrame } = await import('./raw-peer');
    const { FrameKind } = await import('../../../src/transport');
    const peer = await RawPeer.connect(echo.port, Buffer.concat([validPreface({ compression: false }), rawFrame(FrameKind.DATA, 0, 1, Buffer.from('early'))]));
    peers.push(peer);
    expect((await peer.nextFrame((f) => f.kind === FrameKind.DATA)).payload.toString()).toBe('early');
    expect(peer.serverPreface).toBeDefined();
  });
});
