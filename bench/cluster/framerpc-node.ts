// One framerpc node of the cluster section (forked child): the broadcast server of bench/broadcast with its
// PushHub on a RedisPushBus, so a post to either node is pushed to the clients of both.
import 'reflect-metadata';
import Redis from 'ioredis';
import { PushHub, RedisPushBus, RpcServer } from '../../src';
import { ChatDefinition, ChatEventsDefinition, type PostReply, type PostRequest } from '../../generated/chat/chat';
import { numberArg, stringArg } from '../child/args';
import { serveBroadcast, type BroadcastServer } from '../broadcast/server-child';

const MAX_CONNECTIONS = 16_000;

async function startFramerpcNode(): Promise<BroadcastServer> {
  const redisPort = numberArg('redisPort', 6379);
  const publisher = new Redis({ host: '127.0.0.1', port: redisPort });
  const subscriber = publisher.duplicate();
  for (const client of [publisher, subscriber]) client.on('error', () => {});
  const bus = new RedisPushBus({ publisher, subscriber, channelPrefix: stringArg('prefix') ?? 'bench' });
  const server = new RpcServer({ maxConnections: MAX_CONNECTIONS });
  const hub = new PushHub(server, { bus, nodeId: stringArg('nodeId') });
  const events = hub.emitter(ChatEventsDefinition);
  let received = 0;
  let seq = 0;
  server.addService(ChatDefinition, {
    // Everyone on every node gets every message, the sender included: toAll fans out here and publishes once.
    post(request: PostRequest): PostReply {
      received++;
      seq++;
      const delivery = events.toAll().messagePosted({ room: request.room, from: '', text: request.text, seq });
      return { seq, delivered: delivery.sent, dropped: delivery.dropped };
    },
    who: () => ({ users: [] }),
  });
  await bus.ready();
  await server.listen(0);
  return {
    port: server.port,
    connections: () => hub.stats.connections,
    counters: () => {
      const b = bus.stats;
      // Drops of both kinds: slow local consumers, and pushes the bus could not carry to the other node.
      return { received, dropped: hub.stats.dropped + b.droppedQueueFull + b.droppedCutOff + b.droppedTooLarge + b.publishErrors };
    },
    close: async () => {
      await server.close(500);
      bus.close();
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}

serveBroadcast(startFramerpcNode);
