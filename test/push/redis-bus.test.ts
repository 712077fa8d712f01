// RedisPushBus against a real redis-server: cross-node delivery of every target, and its bounds.
import type Redis from 'ioredis';
import { leaveRoom, RedisPushBus } from '../../src';
import { ChatEventsDefinition } from '../../generated/chat/chat';
import { expectedEveryTarget, nodeMember, pushEveryTarget, startNodes, type NodeMember } from './cluster-helpers';
import type { PushFixture } from './helpers';
import { RedisServer, waitUntil } from './redis-helpers';

let redis: RedisServer;
const clients: Redis[] = [];
let nodes: PushFixture[] = [];

beforeAll(async () => {
  redis = await RedisServer.start();
});
afterAll(async () => {
  await redis?.stop();
});
afterEach(async () => {
  await Promise.all(nodes.map((node) => node.close()));
  nodes = [];
  for (const client of clients.splice(0)) client.disconnect();
});

let prefixes = 0;
/** A channel prefix of its own per test: nodes of one test share it, tests never hear each other. */
function uniquePrefix(): string {
  return `test${++prefixes}`;
}

function redisBus(options: Partial<ConstructorParameters<typeof RedisPushBus>[0]> = {}): RedisPushBus {
  const publisher = redis.client();
  const subscriber = redis.client();
  clients.push(publisher, subscriber);
  return new RedisPushBus({ publisher, subscriber, ...options });
}

async function readyBuses(): Promise<RedisPushBus[]> {
  const buses = nodes.map((node) => node.hub.bus as RedisPushBus);
  await Promise.all(buses.map((bus) => bus.ready()));
  return buses;
}

async function membersOnEveryNode(): Promise<{ members: NodeMember[]; roomMembers: Set<NodeMember> }> {
  const members: NodeMember[] = [];
  for (const node of nodes) members.push(await nodeMember(node, ['r']), await nodeMember(node), await nodeMember(node, ['r']));
  return { members, roomMembers: new Set(members.filter((_, i) => i % 3 !== 1)) };
}

describe('RedisPushBus: two nodes on one Redis', () => {
  test.each([
    ['pub/sub', { sharded: false }],
    ['sharded pub/sub (SPUBLISH)', { sharded: true }],
    ['a channel per room', { roomChannels: true }],
    ['sharded, a channel per room', { sharded: true, roomChannels: true }],
  ])('room, all, all-except and connection pushes reach members on both nodes exactly once (%s)', async (_name, options) => {
    const channelPrefix = uniquePrefix();
    nodes = await startNodes(2, () => redisBus({ ...options, channelPrefix }));
    const buses = nodes.map((node) => node.hub.bus as RedisPushBus);
    const { members, roomMembers } = await membersOnEveryNode();
    await Promise.all(buses.map((bus) => bus.ready())); // room channels subscribed too
    expect(await pushEveryTarget(nodes, members)).toEqual(expectedEveryTarget(nodes, members, roomMembers));
    // Node 0 published each push once (the marker included); node 1 received them, and the connection push only there.
    expect(buses[0].stats).toMatchObject({ published: 5, droppedTooLarge: 0, droppedQueueFull: 0, droppedCutOff: 0, malformed: 0 });
    expect(buses[1].stats.received).toBe(5);
    expect(nodes[1].hub.stats).toMatchObject({ messagesEncoded: 0, busReceived: 5 });
  });

  test('a push larger than maxMessageBytes stays local and is counted', async () => {
    const channelPrefix = uniquePrefix();
    nodes = await startNodes(2, () => redisBus({ maxMessageBytes: 1024, channelPrefix }));
    const buses = await readyBuses();
    const here = await nodeMember(nodes[0]);
    const there = await nodeMember(nodes[1]);
    const delivery = nodes[0].hub
      .emitter(ChatEventsDefinition)
      .toAll()
      .messagePosted({ room: '', from: '', text: 'x'.repeat(2000), seq: 1 });
    expect(delivery).toEqual({ sent: 1, dropped: 0, published: false });
    expect(buses[0].stats.droppedTooLarge).toBe(1);
    expect(nodes[0].hub.stats.busRefused).toBe(1);
    await here.posted.until(1);
    // Small pushes still cross: the marker reaches the other node, the large one never did.
    nodes[0].hub.emitter(ChatEventsDefinition).toAll().messagePosted({ room: '', from: '', text: 'small', seq: 2 });
    await there.posted.until(1);
    expect(there.posted.items.map((m) => m.text)).toEqual(['small']);
  });

  test('the publish queue is bounded: past maxPendingPublishes pushes are dropped for other nodes and counted', async () => {
    nodes = await startNodes(1, () => redisBus({ maxPendingPublishes: 50, channelPrefix: uniquePrefix() }));
    const [bus] = await readyBuses();
    const emitter = nodes[0].hub.emitter(ChatEventsDefinition);
    let published = 0;
    // All in one pass: no answer can come back before the loop ends, so at most 50 are pending.
    for (let i = 0; i < 200; i++) if (emitter.toAll().messagePosted({ room: '', from: '', text: 't', seq: i }).published) published++;
    expect(published).toBe(50);
    expect(bus.stats).toMatchObject({ published: 50, droppedQueueFull: 150, pendingPublishes: 50 });
    await new Promise<void>((resolve) => {
      const poll = (): void => (bus.stats.pendingPublishes === 0 ? resolve() : void setTimeout(poll, 5));
      poll();
    });
    expect(bus.stats.pendingBytes).toBe(0);
  });

  test('garbage on the bus channel is counted and skipped, pushes keep flowing', async () => {
    const channelPrefix = uniquePrefix();
    nodes = await startNodes(2, () => redisBus({ channelPrefix }));
    const buses = await readyBuses();
    const there = await nodeMember(nodes[1]);
    const other = redis.client();
    clients.push(other);
    await other.publish(`${channelPrefix}:all`, Buffer.from([1, 1, 200, 0]));
    await other.publish(`${channelPrefix}:node:node-1`, 'not an envelope');
    nodes[0].hub.emitter(ChatEventsDefinition).toAll().messagePosted({ room: '', from: '', text: 'after', seq: 1 });
    await there.posted.until(1);
    // Another connection's publishes have no order with node 0's: wait for both to have been read.
    await waitUntil(() => buses[1].stats.malformed === 2, 'both garbage messages to be counted');
    expect(there.posted.items.map((m) => m.text)).toEqual(['after']);
  });

  test('options are validated, naming the field', () => {
    const publisher = redis.client();
    const subscriber = redis.client();
    clients.push(publisher, subscriber);
    expect(() => new RedisPushBus({ publisher, subscriber: publisher as never })).toThrow(/subscriber must be a connection of its own/);
    expect(() => new RedisPushBus({ publisher, subscriber, maxMessageBytes: 0 })).toThrow(/maxMessageBytes must be a positive integer/);
    expect(() => new RedisPushBus({ publisher, subscriber, channelPrefix: 'has space' })).toThrow(/channelPrefix/);
    const bus = new RedisPushBus({ publisher, subscriber });
    expect(bus.options).toMatchObject({ channelPrefix: 'framerpc:push', sharded: false, maxMessageBytes: 256 * 1024, maxPendingPublishes: 4096, maxPendingBytes: 16 * 1024 * 1024 });
    bus.close();
  });

  test('with roomChannels a room push reaches only the nodes with members, and stops when the last one leaves', async () => {
    const channelPrefix = uniquePrefix();
    nodes = await startNodes(3, () => redisBus({ roomChannels: true, channelPrefix }));
    const buses = nodes.map((node) => node.hub.bus as RedisPushBus);
    const here = await nodeMember(nodes[0], ['r']);
    const there = await nodeMember(nodes[1], ['r']);
    const elsewhere = await nodeMember(nodes[2]);
    await Promise.all(buses.map((bus) => bus.ready()));
    const emitter = nodes[0].hub.emitter(ChatEventsDefinition);
    emitter.toRoom('r').messagePosted({ room: 'r', from: '', text: 'to r', seq: 1 });
    emitter.toAll().messagePosted({ room: '', from: '', text: 'to all', seq: 2 });
    await Promise.all([here.posted.until(2), there.posted.until(2), elsewhere.posted.until(1)]);
    expect([buses[1].stats.received, buses[2].stats.received]).toEqual([2, 1]); // node 2 never heard of room r
    // The last member of r on node 1 leaves: node 1 unsubscribes, and hears no more of r.
    await leaveRoom(there.node.channels[0], 'r');
    await buses[1].ready();
    emitter.toRoom('r').messagePosted({ room: 'r', from: '', text: 'to r again', seq: 3 });
    emitter.toAll().messagePosted({ room: '', from: '', text: 'marker', seq: 4 });
    await Promise.all([here.posted.until(4), there.posted.until(3)]);
    expect(there.posted.items.map((m) => m.text)).toEqual(['to r', 'to all', 'marker']);
    expect(buses[1].stats.received).toBe(3);
  });
});
