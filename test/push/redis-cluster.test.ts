// RedisPushBus on a real Redis Cluster (3 masters) with sharded pub/sub: ioredis Cluster clients, SPUBLISH/SSUBSCRIBE.
import { Cluster } from 'ioredis';
import { RedisPushBus } from '../../src';
import { expectedEveryTarget, nodeMember, pushEveryTarget, startNodes, type NodeMember } from './cluster-helpers';
import type { PushFixture } from './helpers';
import { RedisClusterServers } from './redis-helpers';

let cluster: RedisClusterServers;
let nodes: PushFixture[] = [];
const clients: Cluster[] = [];

beforeAll(async () => {
  cluster = await RedisClusterServers.start(3);
});
afterAll(async () => {
  await Promise.all(nodes.map((node) => node.close()));
  for (const client of clients) client.disconnect();
  await cluster?.stop();
});

afterEach(async () => {
  await Promise.all(nodes.map((node) => node.close()));
  nodes = [];
});

test.each([
  ['the shared channel', false],
  ['a channel per room', true],
])('sharded pub/sub on Redis Cluster (%s): every target reaches members on both nodes exactly once', async (_name, roomChannels) => {
  const startup = cluster.ports.map((port) => ({ host: '127.0.0.1', port }));
  const channelPrefix = roomChannels ? 'clr' : 'cl';
  nodes = await startNodes(2, () => {
    const publisher = new Cluster(startup);
    const subscriber = new Cluster(startup, { shardedSubscribers: true });
    for (const client of [publisher, subscriber]) client.on('error', () => {});
    clients.push(publisher, subscriber);
    return new RedisPushBus({ publisher, subscriber, sharded: true, roomChannels, channelPrefix });
  });
  const buses = nodes.map((node) => node.hub.bus as RedisPushBus);
  await Promise.all(buses.map((bus) => bus.ready()));
  const members: NodeMember[] = [];
  for (const node of nodes) members.push(await nodeMember(node, ['r']), await nodeMember(node), await nodeMember(node, ['r']));
  const roomMembers = new Set(members.filter((_, i) => i % 3 !== 1));
  await Promise.all(buses.map((bus) => bus.ready())); // room channels too
  // Sorted: the node channel and the broadcast channel live on different shards, with no order between them.
  const sorted = (lists: string[][]): string[][] => lists.map((list) => [...list].sort());
  expect(sorted(await pushEveryTarget(nodes, members, true))).toEqual(sorted(expectedEveryTarget(nodes, members, roomMembers)));
  expect(buses[1].stats.received).toBe(5);
});
