// Over WebSocket the TCP policies hold: a push slow consumer is disconnected, a silent peer is closed by the heartbeat.
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { PushHub, RpcServer, createChannel, createClient, serveWebSocket, subscribePush, type Channel, type SlowConsumer } from '../../src/internal';
import { localPreface } from '../../src/transport/tcp/handshake';
import { encodePreface } from '../../src/codec/preface';
import { resolveTransportOptions } from '../../src/transport/transport-options';
import { CloseCode, Role } from '../../src/codec/wire';
import { ChatEventsDefinition } from '../../generated/chat/chat';
import { TestServiceDefinition } from '../../generated/test/testing';
import { testService } from './test-service';

const servers: RpcServer[] = [];
const channels: Channel[] = [];

async function start(options: ConstructorParameters<typeof RpcServer>[0] = {}): Promise<{ server: RpcServer; url: string }> {
  const server = new RpcServer({ logger: { error() {}, warn() {} }, ...options });
  server.addService(TestServiceDefinition, testService());
  servers.push(server);
  const { port } = await serveWebSocket(server).listen(0);
  return { server, url: `ws://127.0.0.1:${port}/` };
}

function channel(url: string): Channel {
  const created = createChannel(url);
  channels.push(created);
  return created;
}

afterEach(async () => {
  for (const created of channels.splice(0)) created.close();
  await Promise.all(servers.splice(0).map((server) => server.close(0)));
});

test("a WebSocket client that stops reading is a slow consumer: with policy 'disconnect' it is closed, others carry on", async () => {
  const { server, url } = await start({ closeTimeoutMs: 100 }); // the paused peer never answers the close frame
  const hub = new PushHub(server, { maxPushBacklogBytes: 256 * 1024, slowConsumer: 'disconnect' });
  const slow = channel(url);
  const events = subscribePush(ChatEventsDefinition, slow);
  events.messagePosted.on(() => undefined); // subscribes the topic
  await slow.connect();
  await events.ready();
  slow.transport.connection?.pauseReading(); // stops the ws socket: the kernel buffers fill, then the server's WebSocket buffers
  const disconnected = new Promise<SlowConsumer>((resolve) => hub.once('slowConsumer', resolve));
  let settled = false;
  void disconnected.then(() => (settled = true));
  const text = 'x'.repeat(64 * 1024);
  for (let i = 0; i < 2000 && !settled; i++) {
    hub.emitter(ChatEventsDefinition).toAll().messagePosted({ room: '', from: 'server', text, seq: i });
    if (i % 8 === 7) await new Promise((resolve) => setImmediate(resolve)); // let the sockets write
  }
  await expect(disconnected).resolves.toMatchObject({ action: 'disconnected' });
  const good = createClient(TestServiceDefinition, channel(url));
  await expect(good.unary({ seq: 1 })).resolves.toMatchObject({ seq: 2 });
});

test('a peer silent after its preface is closed by the heartbeat (PING unanswered), as over TCP', async () => {
  const { server, url } = await start({ heartbeatIntervalMs: 50, heartbeatTimeoutMs: 50 });
  const socket = new WebSocket(url);
  socket.on('error', () => undefined);
  await once(socket, 'open');
  const disconnect = new Promise((resolve) => server.once('disconnect', (_connection, info) => resolve(info)));
  const closed = once(socket, 'close');
  socket.send(encodePreface(localPreface(resolveTransportOptions(), Role.CLIENT)));
  await expect(disconnect).resolves.toMatchObject({ code: CloseCode.TIMEOUT, reason: expect.stringContaining('no answer to PING') });
  await closed;
});
