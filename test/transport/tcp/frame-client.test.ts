// FrameClient: connect timeout, reconnecting with backoff after a loss, giving up, and permanent refusals.
import { once } from 'node:events';
import * as net from 'node:net';
import { CloseCode, FrameClient, FrameError, type ClientState, type CloseInfo, type FrameClientOptions } from '../../../src/transport';
import { closeClient, expectHealthyEcho, startEchoServer, waitForState, type EchoServer } from './helpers';

let echo: EchoServer | undefined;
const clients: FrameClient[] = [];
const silentServers: { server: net.Server; sockets: net.Socket[] }[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map(closeClient));
  await echo?.server.close(0);
  echo = undefined;
  for (const { server, sockets } of silentServers.splice(0)) {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

function client(options: FrameClientOptions): { client: FrameClient; states: ClientState[]; disconnects: CloseInfo[] } {
  const c = new FrameClient(options);
  clients.push(c);
  const states: ClientState[] = [];
  const disconnects: CloseInfo[] = [];
  c.on('state', (state) => states.push(state));
  c.on('disconnect', (info) => disconnects.push(info));
  return { client: c, states, disconnects };
}

/** A TCP server that accepts connections and never says a word. */
async function silentServer(): Promise<{ port: number; sockets: net.Socket[] }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    sockets.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  silentServers.push({ server, sockets });
  return { port: (server.address() as net.AddressInfo).port, sockets };
}

describe('FrameClient: connect timeout', () => {
  it('rejects connect() within connectTimeoutMs when the server accepts TCP but never answers (reconnect: false)', async () => {
    const silent = await silentServer();
    const { client: c, states, disconnects } = client({ port: silent.port, reconnect: false, connectTimeoutMs: 300 });
    const started = Date.now();
    const error = await c.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(FrameError);
    expect((error as FrameError).message).toMatch(/connect timed out after connectTimeoutMs \(300 ms\)/);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1500);
    expect(states).toEqual(['connecting', 'closed']);
    // One failed attempt is one disconnect, however many listeners saw the socket error.
    await new Promise((resolve) => setImmediate(resolve));
    expect(disconnects).toHaveLength(1);
    expect(disconnects[0]).toMatchObject({ code: CloseCode.CONNECTION_LOST, remote: false });
    expect(silent.sockets).toHaveLength(1);
  });

  it('retries one attempt at a time after timeouts, and gives up after maxAttempts', async () => {
    const silent = await silentServer();
    const { client: c, disconnects } = client({
      port: silent.port,
      connectTimeoutMs: 100,
      reconnect: { initialDelayMs: 10, maxDelayMs: 20, maxAttempts: 3 },
    });
    await expect(c.connect()).rejects.toThrow(/connect timed out/);
    expect(c.state).toBe('closed');
    // A fixed window on purpose: a 4th attempt (10-20 ms backoff) would show in it; an absence has no event.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(disconnects).toHaveLength(3);
    expect(silent.sockets).toHaveLength(3);
  });

  it('fails on the client handshake timeout when it is shorter than connectTimeoutMs', async () => {
    const silent = await silentServer();
    const { client: c } = client({ port: silent.port, reconnect: false, connectTimeoutMs: 5000, handshakeTimeoutMs: 150 });
    await expect(c.connect()).rejects.toThrow('client closed: no preface within handshakeTimeoutMs (150 ms)');
    expect(c.lastCloseInfo?.code).toBe(CloseCode.TIMEOUT);
  });

  it('rejects with ECONNREFUSED when nothing listens', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const { client: c } = client({ port, reconnect: false });
    await expect(c.connect()).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('FrameClient: reconnecting', () => {
  it('reconnects with backoff after the server drops the connection: open -> reconnecting -> open', async () => {
    echo = await startEchoServer();
    const { client: c, states, disconnects } = client({ port: echo.port, reconnect: { initialDelayMs: 20 } });
    const first = await c.connect();
    const serverSide = await echo.nextConnection();
    const reopened = new Promise<void>((resolve) => c.on('state', (state) => state === 'open' && resolve()));
    serverSide.socket.destroy();
    await reopened;
    expect(states).toEqual(['connecting', 'open', 'reconnecting', 'open']);
    expect(disconnects).toEqual([{ code: CloseCode.CONNECTION_LOST, reason: 'the peer closed the connection', remote: true }]);
    expect(first.state).toBe('closed');
    const second = c.connection!;
    expect(second).not.toBe(first);
    expect(await c.whenOpen()).toBe(second);
    expect(echo.server.connections.size).toBe(1);
  });

  it('reconnects when the server restarts on the same port', async () => {
    echo = await startEchoServer();
    const port = echo.port;
    const { client: c, states } = client({ port, reconnect: { initialDelayMs: 20, maxDelayMs: 50 } });
    await c.connect();
    await echo.server.close(0);
    await waitForState(c, 'reconnecting');
    // Let at least one attempt fail against the closed port before the server comes back.
    await once(c, 'disconnect');
    echo = await startEchoServer({}, port);
    await waitForState(c, 'open');
    expect(states.slice(0, 3)).toEqual(['connecting', 'open', 'reconnecting']);
    expect(states[states.length - 1]).toBe('open');
    expect(c.lastCloseInfo?.reason).toMatch(/ECONNREFUSED/);
    await expectHealthyEcho(port);
  });

  it('with reconnect: false goes to closed after a loss, and whenOpen() rejects', async () => {
    echo = await startEchoServer();
    const { client: c, states } = client({ port: echo.port, reconnect: false });
    await c.connect();
    (await echo.nextConnection()).close(CloseCode.INTERNAL_ERROR, 'test closes you');
    await waitForState(c, 'closed');
    expect(states).toEqual(['connecting', 'open', 'closed']);
    expect(c.lastCloseInfo).toEqual({ code: CloseCode.INTERNAL_ERROR, reason: 'test closes you', remote: true });
    await expect(c.whenOpen()).rejects.toThrow('client closed: test closes you');
  });

  it('stops reconnecting on a permanent refusal (HANDSHAKE_FAILED)', async () => {
    echo = await startEchoServer({ xorKey: Buffer.from('right') });
    const { client: c, states, disconnects } = client({ port: echo.port, xorKey: Buffer.from('wrong'), reconnect: { initialDelayMs: 1 } });
    await expect(c.connect()).rejects.toMatchObject({ closeCode: CloseCode.HANDSHAKE_FAILED });
    // A fixed window on purpose: a reconnect (1 ms backoff) would show in it; an absence has no event.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(states).toEqual(['connecting', 'closed']);
    expect(disconnects).toHaveLength(1);
    expect(echo.rejected).toHaveLength(1);
  });

  it('keeps retrying a transient refusal (SERVER_FULL) until a slot frees', async () => {
    echo = await startEchoServer({ maxConnections: 1 });
    const { client: holder } = client({ port: echo.port, reconnect: false });
    await holder.connect();
    const { client: c, disconnects } = client({ port: echo.port, reconnect: { initialDelayMs: 20, maxDelayMs: 40 } });
    const opened = c.connect();
    await once(c, 'disconnect');
    expect(disconnects[0]).toMatchObject({ code: CloseCode.SERVER_FULL });
    await closeClient(holder);
    await opened;
    expect(c.state).toBe('open');
  });

  it('close() while reconnecting stops the retries and rejects pending connect()', async () => {
    const { client: c, states } = client({ port: 1, reconnect: { initialDelayMs: 10_000 } });
    const pending = c.connect();
    await waitForState(c, 'reconnecting');
    c.close();
    await expect(pending).rejects.toThrow(/client closed/);
    expect(states).toEqual(['connecting', 'reconnecting', 'closed']);
  });
});
