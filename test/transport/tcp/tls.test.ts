// Framed connections over TLS, with a self-signed certificate generated for this run by the openssl CLI.
import { once } from 'node:events';
import { CloseCode, FrameClient, FrameKind, type RejectedConnection } from '../../../src/transport';
import { closeClient, collect, startEchoServer, type EchoServer } from './helpers';
import { makeTestCertificate, type TestCertificate } from '../../support/test-certificate';

let certificate: TestCertificate;
let key: Buffer;
let cert: Buffer;
let echo: EchoServer | undefined;
const clients: FrameClient[] = [];

beforeAll(() => {
  certificate = makeTestCertificate('framerpc-tls-');
  key = certificate.key;
  cert = certificate.cert;
});

afterAll(() => certificate.remove());

afterEach(async () => {
  await Promise.all(clients.splice(0).map(closeClient));
  await echo?.server.close(0);
  echo = undefined;
});

function client(options: Partial<ConstructorParameters<typeof FrameClient>[0]>): FrameClient {
  const c = new FrameClient({ port: echo!.port, reconnect: false, ...options });
  clients.push(c);
  return c;
}

describe('TLS', () => {
  it('echoes frames over TLS when the client trusts the certificate', async () => {
    echo = await startEchoServer({ tls: { key, cert } });
    const connection = await client({ tls: { ca: cert, servername: 'localhost' } }).connect();
    expect(connection.socket.constructor.name).toBe('TLSSocket');
    expect((connection.socket as import('node:tls').TLSSocket).authorized).toBe(true);
    const sent = Array.from({ length: 200 }, (_, i) => Buffer.from(`secret ${i} `.repeat(1 + (i % 300))));
    const received = collect(connection, sent.length);
    sent.forEach((payload, i) => connection.send(FrameKind.DATA, 0, i, payload));
    const got = await received;
    expect(got.length).toBe(sent.length);
    expect(got.every((payload, i) => payload.equals(sent[i]))).toBe(true);
  });

  it('combines TLS with compression and XOR obfuscation', async () => {
    const options = { sendCompression: true, compressMinBytes: 32, xorKey: Buffer.from('tls and xor') };
    echo = await startEchoServer({ tls: { key, cert }, ...options });
    const connection = await client({ tls: { ca: cert, servername: 'localhost' }, ...options }).connect();
    const received = collect(connection, 1);
    connection.send(FrameKind.DATA, 0, 1, Buffer.from('squeeze me '.repeat(50)));
    expect((await received)[0].toString()).toBe('squeeze me '.repeat(50));
  });

  it('fails to connect when the client does not trust the certificate, with a clear reason; the server survives', async () => {
    echo = await startEchoServer({ tls: { key, cert } });
    const rejected = once(echo.server, 'rejected') as Promise<[RejectedConnection]>;
    const untrusting = client({ tls: { servername: 'localhost' } });
    const error = await untrusting.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^client closed: connect to 127\.0\.0\.1:\d+ failed: self[- ]signed certificate/);
    expect(untrusting.lastCloseInfo?.code).toBe(CloseCode.CONNECTION_LOST);
    const [info] = await rejected;
    expect(info.code).toBe(CloseCode.HANDSHAKE_FAILED);
    expect(info.reason).toMatch(/^TLS handshake failed: /);

    // The server keeps serving clients that do trust it.
    const connection = await client({ tls: { ca: cert, servername: 'localhost' } }).connect();
    const received = collect(connection, 1);
    connection.send(FrameKind.DATA, 0, 1, Buffer.from('still serving'));
    expect((await received)[0].toString()).toBe('still serving');
  });

  it('fails to connect when the certificate does not name the host', async () => {
    echo = await startEchoServer({ tls: { key, cert } });
    await expect(client({ tls: { ca: cert, servername: 'example.com' } }).connect()).rejects.toThrow(/Hostname\/IP does not match certificate's altnames/);
  });

  it('refuses a plain-TCP framerpc client at the TLS server', async () => {
    echo = await startEchoServer({ tls: { key, cert } });
    const rejected = once(echo.server, 'rejected') as Promise<[RejectedConnection]>;
    const plain = client({ connectTimeoutMs: 2000 });
    await expect(plain.connect()).rejects.toThrow(/^client closed: connection (closed|error) during the handshake/);
    expect(plain.lastCloseInfo?.code).toBe(CloseCode.CONNECTION_LOST);
    expect((await rejected)[0]).toMatchObject({ code: CloseCode.HANDSHAKE_FAILED, reason: expect.stringMatching(/^TLS handshake failed: /) });
    expect(echo.server.connections.size).toBe(0);
  });
});
