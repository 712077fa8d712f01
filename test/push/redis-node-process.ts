// A push node in a process of its own, for the cross-process test: RpcServer + PushHub on a RedisPushBus.
// Arguments: <redis port> <nodeId> <channel prefix>. Prints "listening on 127.0.0.1:<port>" once subscribed.
// Chat.Post pushes its text to all (room '') or to a room; Chat.Who answers the global ids subscribed to MessagePosted.
import Redis from 'ioredis';
import { PushHub, RedisPushBus, RpcServer } from '../../src';
import { ChatDefinition, ChatEventsDefinition } from '../../generated/chat/chat';

async function main(): Promise<void> {
  const [redisPort, nodeId, channelPrefix] = process.argv.slice(2);
  const publisher = new Redis({ host: '127.0.0.1', port: Number(redisPort) });
  const subscriber = publisher.duplicate();
  for (const client of [publisher, subscriber]) client.on('error', () => {});
  const bus = new RedisPushBus({ publisher, subscriber, channelPrefix });
  const server = new RpcServer({ logger: { error() {}, warn() {} } });
  const hub = new PushHub(server, { bus, nodeId });
  const events = hub.emitter(ChatEventsDefinition);
  let seq = 0;
  server.addService(ChatDefinition, {
    post(request) {
      const message = { room: request.room, from: nodeId, text: request.text, seq: ++seq };
      const delivery = request.room === '' ? events.toAll().messagePosted(message) : events.toRoom(request.room).messagePosted(message);
      return { seq, delivered: delivery.sent, dropped: delivery.dropped };
    },
    who: () => ({ users: hub.subscribers(events.topics.messagePosted).map((id) => hub.globalId(id)) }),
  });
  await bus.ready();
  const { port } = await server.listen(0);
  process.stdout.write(`listening on 127.0.0.1:${port}\n`);
  process.once('SIGTERM', () => {
    void server.close(100).then(() => {
      bus.close();
      publisher.disconnect();
      subscriber.disconnect();
      process.exit(0);
    });
  });
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? String(error)}\n`);
  process.exit(1);
});
