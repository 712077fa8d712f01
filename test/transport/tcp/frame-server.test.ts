// FrameServer: binding, the connection limit, graceful shutdown, and broadcast of pre-encoded frames.
import type { Socket } from 'node:net';
import { once } from 'node:events';
import * as net from 'node:net';
import { CloseCode, FrameClient, FrameError, FrameKind, FrameServer, encodeFrame, type CloseInfo, type FrameConnection } from '../../../src/transport';
import { closeClient, collect, expectHealthyEcho, startEchoServer, type EchoServer } from './helpers';

let echo: EchoServer | undefined;
const clients: FrameClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map(closeClient));
  await echo?.server.close(0);
  echo = undefined;
});

function client(port: number, options: Partial<ConstructorParameters<typeof FrameClient>[0]> = {}): FrameClient {
  const c = new FrameClient({ port, reconnect: false, ...options });
  clients.push(c);
  return c;
}

async function echoOnce(connection: FrameConnection, text: string): Promise<string> {
  const received = collect(connection, 1);
  connection.send(FrameKind.DATA, 0, 1, Buffer.from(text));
  return (await received)[0].toString();
}

describe('FrameServer: listening', () => {
  it('binds port 0 to a free port and reports it', async () => {
    const server = new FrameServer();
    const address = await server.listen(0);
    try {
      expect(address.port).toBeGreaterThan(0);
      expect(address.address).toBe('127.0.0.1');
      expect(server.address()).toEqual(address);
      const c = client(address.port);
      const [connection] = await Promise.all([c.connect(), once(server, 'connection')]);
      expect(connection.state).toBe('open');
      expect(server.connections.size).toBe(1);
      const serverSide = [...server.connections.values()][0];
      expect(serverSide.remoteAddress).toBe('127.0.0.1');
      expect(serverSide.remotePort).toBe((connection.socket as Socket).localPort);
    } finally {
      await Promise.all(clients.splice(0).map(closeClient));
      await server.close(0);
    }
  });

  it('rejects listen() on a port already in use', async () => {
    echo = await startEchoServer();
    const second = new FrameServer();
    await expect(second.listen(echo.port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('validates maxConnections', () => {
    expect(() => new FrameServer({ maxConnections: 0 })).toThrow('maxConnections must be a positive integer, got 0');
  });
});

describe('FrameServer: maxConnections', () => {
  it('refuses the third client with SERVER_FULL while two are connected; the two keep working', async () => {
    echo = await startEchoServer({ maxConnections: 2 });
    const first = await client(echo.port).connect();
    const second = await client(echo.port).connect();
    const third = client(echo.port);
    const rejected = echo.nextRejected();
    const error = await third.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FrameError);
    expect((error as FrameError).closeCode).toBe(CloseCode.SERVER_FULL);
    expect((error as FrameError).message).toBe('client closed: server is at maxConnections (2); try again later');
    expect(third.lastCloseInfo).toEqual({ code: CloseCode.SERVER_FULL, reason: 'server is at maxConnections (2); try again later', remote: true });
    expect(await rejected).toMatchObject({ code: CloseCode.SERVER_FULL });
    expect(await echoOnce(first, 'still here 1')).toBe('still here 1');
    expect(await echoOnce(second, 'still here 2')).toBe('still here 2');
  });

  it('accepts a new client once a slot frees up', async () => {
    echo = await startEchoServer({ maxConnections: 1 });
    const first = client(echo.port);
    await first.connect();
    await expect(client(echo.port).connect()).rejects.toMatchObject({ closeCode: CloseCode.SERVER_FULL });
    await closeClient(first);
    await echo.nextClose();
    await expectHealthyEcho(echo.port);
  });
});

describe('FrameServer: refused sockets', () => {
  it('lets a refused socket close as soon as the peer hangs up, not after closeTimeoutMs', async () => {
    echo = await startEchoServer({ maxConnections: 1, closeTimeoutMs: 10_000 });
    await client(echo.port).connect();
    await expect(client(echo.port).connect()).rejects.toMatchObject({ closeCode: CloseCode.SERVER_FULL });
    await Promise.all(clients.splice(0).map(closeClient));
    const started = Date.now();
    await echo.server.close(0);
    expect(Date.now() - started).toBeLessThan(1000);
    echo = undefined;
  });
});

describe('FrameServer: graceful close', () => {
  it('sends GOAWAY SHUTTING_DOWN, waits for in-flight work to end, then closes; new connections are refused', async () => {
    echo = await startEchoServer();
    const c = client(echo.port);
    const connection = await c.connect();
    const serverConnection = await echo.nextConnection();
    serverConnection.beginWork();
    const goaway = once(connection, 'goaway') as Promise<[CloseInfo]>;
    let closed = false;
    const closing = echo.server.close(10_000).then(() => {
      closed = true;
    });
    expect(await goaway).toMatchObject([{ code: CloseCode.SHUTTING_DOWN, reason: 'server shutting down', remote: true }]);
    expect(serverConnection.state).toBe('draining');

    // Refused while shutting down: the listener is gone.
    const late = client(echo.port);
    await expect(late.connect()).rejects.toThrow(/ECONNREFUSED/);
    expect(late.lastCloseInfo?.code).toBe(CloseCode.CONNECTION_LOST);

    // The in-flight work can still answer before it ends.
    const answer = collect(connection, 1);
    expect(serverConnection.send(FrameKind.DATA, 0, 1, Buffer.from('last answer'))).toBe(true);
    expect((await answer)[0].toString()).toBe('last answer');
    expect(closed).toBe(false);
    expect(connection.state).toBe('draining');

    const clientClosed = once(connection, 'close') as Promise<[CloseInfo]>;
    serverConnection.endWork();
    await closing;
    expect(closed).toBe(true);
    expect((await clientClosed)[0]).toMatchObject({ code: CloseCode.SHUTTING_DOWN, remote: true });
    expect(echo.closes).toEqual([{ code: CloseCode.SHUTTING_DOWN, reason: 'server shutting down', remote: false }]);
    echo = undefined;
  });

  it('closes after graceMs when the work never ends', async () => {
    echo = await startEchoServer();
    const c = client(echo.port);
    const connection = await c.connect();
    (await echo.nextConnection()).beginWork();
    const started = Date.now();
    const clientClosed = once(connection, 'close');
    await echo.server.close(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(1500);
    await clientClosed;
    echo = undefined;
  });

  it('closes at once when nothing is in flight, including connections still handshaking', async () => {
    echo = await startEchoServer({ handshakeTimeoutMs: 10_000 });
    const c = client(echo.port);
    await c.connect();
    const silent = net.connect({ host: '127.0.0.1', port: echo.port });
    silent.on('error', () => {});
    await once(silent, 'connect');
    const silentClosed = once(silent, 'close');
    const started = Date.now();
    await echo.server.close();
    await silentClosed;
    expect(Date.now() - started).toBeLessThan(1000);
    echo = undefined;
  });
});

describe('FrameServer: broadcast', () => {
  it('queues one pre-encoded frame for many connections with sendEncoded', async () => {
    echo = await startEchoServer({ sendCompression: true, compressMinBytes: 64 });
    const connections = await Promise.all([1, 2, 3].map(() => client(echo!.port, { sendCompression: true, compressMinBytes: 64 }).connect()));
    while (echo.connections.length < 3) await echo.nextConnection();
    const payload = Buffer.from('news for everyone '.repeat(20));
    const frame = encodeFrame(FrameKind.PUSH, 0, 0, payload, echo.connections[0].encoding);
    const received = connections.map((connection) => collect(connection, 1));
    for (const connection of echo.server.connections.values()) expect(connection.sendEncoded(frame)).toBe(true);
    for (const got of await Promise.all(received)) expect(got).toEqual([payload]);
  });
});
