// TLS slowloris: TCP connections that never send a ClientHello count toward maxConnections and are timed from accept.
import * as net from 'node:net';
import { CloseCode, FrameClient } from '../../../src/transport';
import { closeClient, startEchoServer, type EchoServer } from './helpers';
import { makeTestCertificate, type TestCertificate } from '../../support/test-certificate';

const MAX_CONNECTIONS = 5;
const HANDSHAKE_TIMEOUT_MS = 300;
const SILENT = 8;

let certificate: TestCertificate;
let key: Buffer;
let cert: Buffer;
let echo: EchoServer | undefined;
const sockets: net.Socket[] = [];

beforeAll(() => {
  certificate = makeTestCertificate('framerpc-tls-slowloris-');
  key = certificate.key;
  cert = certificate.cert;
});

afterAll(() => certificate.remove());

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await echo?.server.close(0);
  echo = undefined;
});

/** Opens a TCP connection that sends nothing; resolves once connected, with when it closed (ms after connecting, capped). */
async function silentSocket(port: number, capMs: number): Promise<{ closedAfterMs: Promise<number> }> {
  const socket = net.connect({ host: '127.0.0.1', port });
  sockets.push(socket);
  socket.on('error', () => undefined); // a reset by the server is the expected outcome
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const connectedAt = performance.now();
  const closedAfterMs = new Promise<number>((resolve) => {
    const cap = setTimeout(() => resolve(Infinity), capMs);
    socket.once('close', () => {
      clearTimeout(cap);
      resolve(performance.now() - connectedAt);
    });
  });
  return { closedAfterMs };
}

describe('TLS server and silent TCP connections (no ClientHello)', () => {
  it('refuses those over maxConnections at once, closes the rest within handshakeTimeoutMs, then serves a real client', async () => {
    echo = await startEchoServer({ tls: { key, cert }, handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS, maxConnections: MAX_CONNECTIONS });
    const silent = [];
    for (let i = 0; i < SILENT; i++) silent.push(await silentSocket(echo.port, 3000));
    const closedAfter = await Promise.all(silent.map((s) => s.closedAfterMs));
    const counted = closedAfter.slice(0, MAX_CONNECTIONS);
    const overLimit = closedAfter.slice(MAX_CONNECTIONS);
    for (const ms of overLimit) expect(ms).toBeLessThan(HANDSHAKE_TIMEOUT_MS / 2);
    for (const ms of counted) {
      expect(ms).toBeGreaterThanOrEqual(HANDSHAKE_TIMEOUT_MS - 50);
      expect(ms).toBeLessThan(HANDSHAKE_TIMEOUT_MS + 700);
    }
    const codes = echo.rejected.map((r) => r.code).sort();
    expect(codes).toEqual([...Array(MAX_CONNECTIONS).fill(CloseCode.TIMEOUT), ...Array(SILENT - MAX_CONNECTIONS).fill(CloseCode.SERVER_FULL)].sort());
    expect(echo.rejected.find((r) => r.code === CloseCode.TIMEOUT)?.reason).toBe(`no TLS handshake within handshakeTimeoutMs (${HANDSHAKE_TIMEOUT_MS} ms)`);
    expect(echo.rejected.find((r) => r.code === CloseCode.SERVER_FULL)?.reason).toMatch(/maxConnections \(5\)/);

    const client = new FrameClient({ port: echo.port, reconnect: false, tls: { ca: cert, servername: 'localhost' } });
    try {
      const connection = await client.connect();
      expect(connection.state).toBe('open');
    } finally {
      await closeClient(client);
    }
  });

  it('close() drops connections still in their TLS handshake instead of waiting for their timeout', async () => {
    echo = await startEchoServer({ tls: { key, cert }, handshakeTimeoutMs: 10_000 });
    const { closedAfterMs } = await silentSocket(echo.port, 3000);
    await new Promise((resolve) => setImmediate(resolve));
    const started = performance.now();
    await echo.server.close(0);
    echo = undefined;
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await closedAfterMs).toBeLessThan(1000);
  });
});
