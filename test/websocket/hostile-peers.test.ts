// Hostile WebSocket peers (a raw `ws` client as the attacker): each is closed with its reason; other connections carry on.
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';
import { RpcServer, createChannel, createClient, serveWebSocket, type Channel } from '../../src';
import { decodeGoaway } from '../../src/codec/goaway';
import { localPreface } from '../../src/transport/tcp/handshake';
import { encodePreface } from '../../src/codec/preface';
import { resolveTransportOptions } from '../../src/transport/transport-options';
import { TEXT_MESSAGE_REASON } from '../../src/transport/websocket';
import { CloseCode, FRAME_HEADER_BYTES, FrameKind, Role } from '../../src/codec/wire';
import { TestServiceDefinition } from '../../generated/test/testing';
import { testService } from './test-service';

const MAX_FRAME_BYTES = 128 * 1024;

let server: RpcServer;
let url: string;
let good: Channel;
const attackers: WebSocket[] = [];

beforeEach(async () => {
  server = new RpcServer({ maxFrameBytes: MAX_FRAME_BYTES, logger: { error() {}, warn() {} } });
  server.addService(TestServiceDefinition, testService());
  const { port } = await serveWebSocket(server, { path: '/rpc', allowedOrigins: ['http://app.example'] }).listen(0);
  url = `ws://127.0.0.1:${port}/rpc`;
  good = createChannel(url);
  await good.connect();
});

afterEach(async () => {
  for (const attacker of attackers.splice(0)) attacker.terminate();
  good.close();
  await server.close(100);
});

function attacker(options: ConstructorParameters<typeof WebSocket>[2] = {}): WebSocket {
  const socket = new WebSocket(url, options);
  socket.on('error', () => undefined);
  attackers.push(socket);
  return socket;
}

async function closeOf(socket: WebSocket): Promise<{ code: number; reason: string }> {
  const [code, reason] = (await once(socket, 'close')) as [number, Buffer];
  return { code, reason: reason.toString() };
}

/** The good channel still works and is still the one connection it was. */
async function goodStillServed(): Promise<void> {
  const client = createClient(TestServiceDefinition, good);
  await expect(client.unary({ seq: 1 })).resolves.toMatchObject({ seq: 2 });
  expect(good.state).toBe('open');
}

describe('hostile WebSocket peers', () => {
  test('a text message: closed with 1003 and the reason', async () => {
    const socket = attacker();
    await once(socket, 'open');
    socket.send('{"hello":"server"}');
    await expect(closeOf(socket)).resolves.toEqual({ code: 1003, reason: TEXT_MESSAGE_REASON });
    await goodStillServed();
  });

  test('a text message after a valid preface: the framerpc connection closes with the reason', async () => {
    const socket = attacker();
    await once(socket, 'open');
    const opened = new Promise((resolve) => server.once('connection', resolve));
    socket.send(encodePreface(localPreface(resolveTransportOptions(), Role.CLIENT)));
    await opened;
    const disconnect = new Promise((resolve) => server.once('disconnect', (_connection, info) => resolve(info)));
    socket.send('text');
    await expect(closeOf(socket)).resolves.toEqual({ code: 1003, reason: TEXT_MESSAGE_REASON });
    await expect(disconnect).resolves.toMatchObject({ reason: expect.stringContaining(TEXT_MESSAGE_REASON) });
    await goodStillServed();
  });

  test('a message over the limit (maxFrameBytes + header): closed with 1009 before it is buffered', async () => {
    const socket = attacker();
    await once(socket, 'open');
    socket.send(Buffer.alloc(MAX_FRAME_BYTES + FRAME_HEADER_BYTES + 1));
    await expect(closeOf(socket)).resolves.toMatchObject({ code: 1009 });
    await goodStillServed();
  });

  test('garbage instead of the preface: a GOAWAY naming the problem, then the close', async () => {
    const rejected = new Promise((resolve) => server.transport.once('rejected', resolve));
    const socket = attacker();
    await once(socket, 'open');
    const messages: Buffer[] = [];
    socket.on('message', (data: Buffer) => messages.push(data));
    socket.send(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    const closed = await closeOf(socket);
    expect(closed.code).toBe(1000);
    const bytes = Buffer.concat(messages);
    expect(bytes[4]).toBe(FrameKind.GOAWAY);
    const goaway = decodeGoaway(bytes.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + bytes.readUInt32BE(0)));
    expect(goaway.code).toBe(CloseCode.HANDSHAKE_FAILED);
    expect(goaway.reason).toMatch(/not a framerpc peer: expected preface magic "FRPC"/);
    await expect(rejected).resolves.toMatchObject({ code: CloseCode.HANDSHAKE_FAILED });
    await goodStillServed();
  });

  test('a wrong Origin: HTTP 403 naming the origin, before any WebSocket opens', async () => {
    const socket = attacker({ origin: 'https://evil.example' });
    const [, response] = (await once(socket, 'unexpected-response')) as [unknown, IncomingMessage];
    expect(response.statusCode).toBe(403);
    let body = '';
    for await (const chunk of response) body += String(chunk);
    expect(body).toContain('Origin https://evil.example is not allowed');
    const allowed = attacker({ origin: 'http://app.example' });
    await once(allowed, 'open');
    await goodStillServed();
  });

  test('silence after the upgrade: closed at handshakeTimeoutMs like a TCP peer', async () => {
    await server.close(0);
    server = new RpcServer({ handshakeTimeoutMs: 100, logger: { error() {}, warn() {} } });
    server.addService(TestServiceDefinition, testService());
    const { port } = await serveWebSocket(server).listen(0);
    url = `ws://127.0.0.1:${port}/`;
    good = createChannel(url);
    await good.connect();
    const socket = attacker();
    await once(socket, 'open');
    const rejected = await new Promise((resolve) => server.transport.once('rejected', resolve));
    expect(rejected).toMatchObject({ code: CloseCode.TIMEOUT });
    await closeOf(socket);
    await goodStillServed();
  });

  test('past maxConnections: a GOAWAY SERVER_FULL over the WebSocket, as over TCP', async () => {
    await server.close(0);
    server = new RpcServer({ maxConnections: 1, logger: { error() {}, warn() {} } });
    server.addService(TestServiceDefinition, testService());
    const { port } = await serveWebSocket(server).listen(0);
    url = `ws://127.0.0.1:${port}/`;
    good = createChannel(url);
    await good.connect();
    const socket = attacker();
    const messages: Buffer[] = [];
    socket.on('message', (data: Buffer) => messages.push(data));
    await closeOf(socket);
    const bytes = Buffer.concat(messages);
    const goaway = decodeGoaway(bytes.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + bytes.readUInt32BE(0)));
    expect(goaway).toMatchObject({ code: CloseCode.SERVER_FULL, reason: expect.stringContaining('maxConnections (1)') });
    await goodStillServed();
  });
});
