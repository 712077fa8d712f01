// RPC and push over WebSocket from Node: an RpcServer on its own WebSocket port, on an http server's path, over wss.
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { Metadata, PushHub, RpcServer, createChannel, createClient, joinRoom, serveWebSocket, subscribePush, type Channel, type ChannelTargetOptions } from '../../src';
import { ChatEventsDefinition } from '../../generated/chat/chat';
import { TestServiceDefinition } from '../../generated/test/testing';
import { testService } from './test-service';
import { makeTestCertificate } from '../support/test-certificate';

const servers: RpcServer[] = [];
const channels: Channel[] = [];
const httpServers: http.Server[] = [];

function rpcServer(): RpcServer {
  const server = new RpcServer({ logger: { error() {}, warn() {} } });
  server.addService(TestServiceDefinition, testService());
  servers.push(server);
  return server;
}

function channel(url: string, options: ChannelTargetOptions = {}): Channel {
  const created = createChannel(url, options);
  channels.push(created);
  return created;
}

afterEach(async () => {
  for (const created of channels.splice(0)) created.close();
  await Promise.all(servers.splice(0).map((server) => server.close(100)));
  await Promise.all(httpServers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('framerpc over WebSocket, Node client', () => {
  test('every call shape, metadata both ways, beside TCP on the same server', async () => {
    const server = rpcServer();
    const { port: tcpPort } = await server.listen(0);
    const endpoint = serveWebSocket(server, { path: '/rpc' });
    const { port } = await endpoint.listen(0);
    const client = createClient(TestServiceDefinition, channel(`ws://127.0.0.1:${port}/rpc`));

    const headers: Metadata[] = [];
    const trailers: Metadata[] = [];
    await expect(client.unary({ seq: 41 }, { metadata: { 'x-echo': 'hi' }, onHeaders: (m) => headers.push(m), onTrailers: (m) => trailers.push(m) })).resolves.toMatchObject({ seq: 42 });
    expect(headers[0].get('x-echoed')).toBe('hi');
    expect(trailers[0].get('x-trailer')).toBe('done:hi');

    const streamed: number[] = [];
    for await (const message of client.serverStream({ seq: 5 })) streamed.push(message.seq);
    expect(streamed).toEqual([1, 2, 3, 4, 5]);

    const echoed: number[] = [];
    for await (const message of client.bidi(
      (async function* () {
        for (let seq = 1; seq <= 3; seq++) yield { seq };
      })(),
    ))
      echoed.push(message.seq);
    expect(echoed).toEqual([10, 20, 30]);

    // A message far larger than one WebSocket message (64 KiB): split and joined again.
    const body = Buffer.alloc(300_000, 7);
    const big = await client.unary({ body, seq: 1 });
    expect(Buffer.compare(Buffer.from(big.body), body)).toBe(0);

    const tcp = createClient(TestServiceDefinition, channel(`127.0.0.1:${tcpPort}`));
    await expect(tcp.unary({ seq: 1 })).resolves.toMatchObject({ seq: 2 });
    expect(server.transport.connections.size).toBe(2);
  });

  test('attached to an http server at a path: other paths stay HTTP, pushes reach a room', async () => {
    const server = rpcServer();
    const hub = new PushHub(server);
    const httpServer = http.createServer((_request, response) => response.end('page'));
    httpServers.push(httpServer);
    serveWebSocket(server, { server: httpServer, path: '/framerpc' });
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    const { port } = httpServer.address() as AddressInfo;

    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(await page.text()).toBe('page');

    const received: string[][] = [[], []];
    const members = await Promise.all(
      [0, 1].map(async (index) => {
        const member = channel(`ws://127.0.0.1:${port}/framerpc`);
        const events = subscribePush(ChatEventsDefinition, member);
        events.messagePosted.on((message) => received[index].push(message.text));
        await member.connect();
        await events.ready();
        await joinRoom(member, 'lobby');
        return events;
      }),
    );
    const arrived = Promise.all(members.map((events) => new Promise<void>((resolve) => events.messagePosted.on(() => resolve()))));
    hub.emitter(ChatEventsDefinition).toRoom('lobby').messagePosted({ room: 'lobby', from: 'server', text: 'hello', seq: 1 });
    await arrived;
    expect(received).toEqual([['hello'], ['hello']]);
  });

  test('wss:// through an https server', async () => {
    const certificate = makeTestCertificate('framerpc-wss-');
    const { key, cert } = certificate;
    certificate.remove();
    const server = rpcServer();
    const httpsServer = https.createServer({ key, cert });
    httpServers.push(httpsServer);
    serveWebSocket(server, { server: httpsServer, path: '/rpc' });
    await new Promise<void>((resolve) => httpsServer.listen(0, '127.0.0.1', resolve));
    const { port } = httpsServer.address() as AddressInfo;
    const client = createClient(TestServiceDefinition, channel(`wss://localhost:${port}/rpc`, { ws: { ca: cert } }));
    await expect(client.unary({ seq: 1 })).resolves.toMatchObject({ seq: 2 });
  });

  test('server close: GOAWAY to WebSocket clients, its own port closed, the channel reconnects to a new server', async () => {
    const server = rpcServer();
    const endpoint = serveWebSocket(server);
    const { port } = await endpoint.listen(0);
    const ws = channel(`ws://127.0.0.1:${port}/`, { reconnect: { initialDelayMs: 20, maxDelayMs: 50 } });
    const client = createClient(TestServiceDefinition, ws);
    await expect(client.unary({ seq: 1 })).resolves.toMatchObject({ seq: 2 });
    const goaway = new Promise((resolve) => ws.once('goaway', resolve));
    await server.close(100);
    await expect(goaway).resolves.toMatchObject({ reason: 'server shutting down' });
    const refused = await fetch(`http://127.0.0.1:${port}/`).then(
      () => 'open',
      () => 'closed',
    );
    expect(refused).toBe('closed');

    const again = rpcServer();
    await serveWebSocket(again).listen(port);
    const reconnected = new Promise<void>((resolve) => ws.once('connect', () => resolve()));
    await reconnected;
    await expect(client.unary({ seq: 7 })).resolves.toMatchObject({ seq: 8 });
  });
});
