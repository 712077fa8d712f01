// Two push nodes in two processes on one real redis-server: this test process and a child of its own.
import { once } from 'node:events';
import * as path from 'node:path';
import type Redis from 'ioredis';
import { createChannel, createClient, joinRoom, RedisPushBus, subscribePush, type Channel } from '../../src';
import { ChatDefinition, ChatEventsDefinition, type ChatMessage } from '../../generated/chat/chat';
import { prepareCli } from '../cli/cli-process';
import { nodeMember, settleAll, startNodes, type NodeMember } from './cluster-helpers';
import { Collector, type PushFixture } from './helpers';
import { RedisServer, waitUntil } from './redis-helpers';

let redis: RedisServer;
let nodes: PushFixture[] = [];
const clients: Redis[] = [];
const channels: Channel[] = [];

beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => {
  await Promise.all(nodes.map((node) => node.close()));
  for (const channel of channels) channel.close();
  for (const client of clients) client.disconnect();
  await redis?.stop();
});

/** A typed client of the child's node: MessagePosted into `posted`, UserJoined markers counted. */
async function childMember(port: number, rooms: string[]): Promise<{ posted: Collector<ChatMessage>; markers: Collector<unknown> }> {
  const channel = createChannel({ host: '127.0.0.1', port });
  channels.push(channel);
  const events = subscribePush(ChatEventsDefinition, channel);
  const posted = new Collector<ChatMessage>();
  const markers = new Collector<unknown>();
  events.messagePosted.on(posted.push);
  events.userJoined.on(markers.push);
  await events.ready();
  for (const room of rooms) await joinRoom(channel, room);
  return { posted, markers };
}

test('a node in another process: room, all, all-except and connection pushes cross both ways, exactly once', async () => {
  const node = prepareCli(path.join('test', 'push', 'redis-node-process.ts'));
  const child = node.spawn([String(redis.port), 'child-node', 'xproc']);
  const exited = once(child, 'exit');
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  try {
    await waitUntil(() => /listening on 127\.0\.0\.1:\d+/.test(stdout) || child.exitCode !== null, 'the child node to listen', 10_000);
    const childPort = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(stdout)?.[1] ?? NaN);
    expect({ childPort: Number.isInteger(childPort), stderr }).toEqual({ childPort: true, stderr: '' });

    nodes = await startNodes(1, () => {
      const publisher = redis.client();
      const subscriber = redis.client();
      clients.push(publisher, subscriber);
      return new RedisPushBus({ publisher, subscriber, channelPrefix: 'xproc' });
    });
    await (nodes[0].hub.bus as RedisPushBus).ready();
    const local: NodeMember[] = [await nodeMember(nodes[0], ['r']), await nodeMember(nodes[0])];
    const remote = [await childMember(childPort, ['r']), await childMember(childPort, [])];
    const childClient = createClient(ChatDefinition, channels[0]);
    const childIds = (await childClient.who({ room: '' })).users;
    expect(childIds).toHaveLength(2);
    expect(childIds.every((id) => id.startsWith('child-node:'))).toBe(true);

    // From this process to both.
    const emitter = nodes[0].hub.emitter(ChatEventsDefinition);
    const message = (text: string): ChatMessage => ({ room: 'r', from: 'test', text, seq: 0 });
    emitter.toRoom('r').messagePosted(message('room'));
    emitter.toAll().messagePosted(message('all'));
    emitter.toAllExcept(childIds[0]).messagePosted(message('all-except'));
    emitter.toConnection(childIds[1]).messagePosted(message('connection'));
    // From the child to both (its Chat.Post pushes to all).
    await childClient.post({ room: '', text: 'from-child' });
    await waitUntil(() => local.every((m) => m.posted.items.some((p) => p.text === 'from-child')), "the child's push to reach this process");
    const markers = remote.map((m) => m.markers.items.length + 1);
    await settleAll(nodes[0], local);
    await Promise.all(remote.map((m, i) => m.markers.until(markers[i])));

    const got = (items: ChatMessage[]): string[] => items.map((m) => m.text).sort();
    expect(local.map((m) => got(m.posted.items))).toEqual([
      ['all', 'all-except', 'from-child', 'room'],
      ['all', 'all-except', 'from-child'],
    ]);
    const remoteGot = remote.map((m) => got(m.posted.items));
    // Each child member got all, from-child and (the one in room r) room once; the one left out (childIds[0])
    // got neither all-except nor connection, the other (childIds[1]) both.
    const targeted = remoteGot.map((texts) => texts.filter((t) => t === 'all-except' || t === 'connection').join(','));
    expect(targeted.sort()).toEqual(['', 'all-except,connection']);
    expect(remoteGot.map((texts) => texts.filter((t) => t !== 'all-except' && t !== 'connection'))).toEqual([
      ['all', 'from-child', 'room'],
      ['all', 'from-child'],
    ]);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
});
