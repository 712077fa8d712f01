// RedisPushBus under faults, against a real redis-server: Redis killed mid-broadcast and restarted, and Redis
// closing a subscriber for its pubsub output-buffer limit. Each time the gap is reported and the nodes recover.
import type Redis from 'ioredis';
import { RedisPushBus, type RedisBusConnection } from '../../src/internal';
import { ChatEventsDefinition } from '../../generated/chat/chat';
import { nodeMember, startNodes } from './cluster-helpers';
import type { PushFixture } from './helpers';
import { RedisServer, waitUntil } from './redis-helpers';

let redis: RedisServer;
let nodes: PushFixture[] = [];
const clients: Redis[] = [];
let prefixes = 0;

beforeEach(async () => {
  redis = await RedisServer.start();
});
afterEach(async () => {
  await Promise.all(nodes.map((node) => node.close()));
  nodes = [];
  for (const client of clients.splice(0)) client.disconnect();
  await redis.stop();
});

/** Two nodes on one Redis, each bus's 'cutOff' and 'reconnected' events recorded. */
async function twoNodes(options: Partial<ConstructorParameters<typeof RedisPushBus>[0]> = {}): Promise<{ buses: RedisPushBus[]; log: string[][] }> {
  const channelPrefix = `fault${++prefixes}`;
  const log: string[][] = [[], []];
  nodes = await startNodes(2, (i) => {
    const publisher = redis.client();
    const subscriber = redis.client();
    clients.push(publisher, subscriber);
    const bus = new RedisPushBus({ publisher, subscriber, channelPrefix, ...options });
    bus.on('cutOff', (connection: RedisBusConnection) => log[i].push(`cutOff ${connection}`));
    bus.on('reconnected', (connection: RedisBusConnection) => log[i].push(`reconnected ${connection}`));
    return bus;
  });
  const buses = nodes.map((node) => node.hub.bus as RedisPushBus);
  await Promise.all(buses.map((bus) => bus.ready()));
  return { buses, log };
}

function strictlyIncreasing(values: number[]): boolean {
  return values.every((value, i) => i === 0 || value > values[i - 1]);
}

describe('RedisPushBus faults', () => {
  test('redis-server killed during a broadcast and restarted: gap reported, nodes re-subscribe, memory bounded, no crash', async () => {
    const maxPendingPublishes = 256;
    const { buses, log } = await twoNodes({ maxPendingPublishes });
    const here = await nodeMember(nodes[0]);
    const there = await nodeMember(nodes[1]);
    const emitter = nodes[0].hub.emitter(ChatEventsDefinition);
    const publisher = buses[0].options.publisher as unknown as Redis;
    let seq = 0;
    let maxPending = 0;
    let maxCommandQueue = 0;
    // Bounded: at most 6000 pushes, 5 every 2 ms, stopped below in any case.
    const broadcast = setInterval(() => {
      for (let i = 0; i < 5 && seq < 6000; i++) emitter.toAll().messagePosted({ room: '', from: '', text: `m${seq}`, seq: ++seq });
      maxPending = Math.max(maxPending, buses[0].stats.pendingPublishes);
      maxCommandQueue = Math.max(maxCommandQueue, publisher.commandQueue.length);
    }, 2);
    try {
      await there.posted.until(20);
      await redis.kill();
      await waitUntil(() => log[0].includes('cutOff subscriber') && log[1].includes('cutOff subscriber') && log[0].includes('cutOff publisher'), 'both nodes to report the cut-off');
      const droppedBefore = buses[0].stats.droppedCutOff;
      await waitUntil(() => buses[0].stats.droppedCutOff > droppedBefore + 20, 'pushes dropped (not queued) while Redis is down');
      await redis.restart();
      await waitUntil(() => log[0].includes('reconnected subscriber') && log[1].includes('reconnected subscriber') && log[0].includes('reconnected publisher'), 'both nodes to re-subscribe');
      const afterRestart = seq;
      await waitUntil(() => there.posted.items.some((m) => m.seq > afterRestart), 'a push made after the restart to reach the other node');
    } finally {
      clearInterval(broadcast);
    }
    // The other node missed the pushes of the gap, at most once each and in order; this node's own clients missed none.
    const seen = there.posted.items.map((m) => m.seq);
    expect(strictlyIncreasing(seen)).toBe(true);
    expect(seen.length).toBeLessThan(seq);
    await here.posted.until(seq);
    expect(here.posted.items.map((m) => m.seq)).toEqual(Array.from({ length: seq }, (_, i) => i + 1));
    expect(buses[1].stats.cutOffs).toBeGreaterThanOrEqual(1);
    expect(buses[1].stats.cutOffMs).toBeGreaterThan(0);
    expect(buses[0].stats.droppedCutOff).toBeGreaterThan(20);
    // Memory bounded: publishes in flight never passed the cap, and nothing piled up in ioredis's queue.
    expect(maxPending).toBeLessThanOrEqual(maxPendingPublishes);
    expect(maxCommandQueue).toBeLessThanOrEqual(maxPendingPublishes + 2);
  });

  test('with roomChannels, a restarted Redis gets the room subscriptions again', async () => {
    const { buses, log } = await twoNodes({ roomChannels: true });
    const there = await nodeMember(nodes[1], ['r']);
    await buses[1].ready();
    await redis.kill();
    await waitUntil(() => log[1].includes('cutOff subscriber'), 'node 1 to report the cut-off');
    await redis.restart();
    await waitUntil(() => log[1].includes('reconnected subscriber') && log[0].includes('reconnected publisher'), 'both nodes to reconnect');
    const emitter = nodes[0].hub.emitter(ChatEventsDefinition);
    const retry = setInterval(() => emitter.toRoom('r').messagePosted({ room: 'r', from: '', text: 'after restart', seq: 1 }), 20);
    try {
      await there.posted.until(1);
    } finally {
      clearInterval(retry);
    }
    expect(there.posted.items[0].text).toBe('after restart');
  });

  test('Redis closing a subscriber for its pubsub output-buffer limit: reported, re-subscribed, pushes flow again', async () => {
    const { buses, log } = await twoNodes({ maxPendingPublishes: 100_000, maxPendingBytes: 256 * 1024 * 1024 });
    const there = await nodeMember(nodes[1]);
    const admin = redis.client();
    clients.push(admin);
    await admin.config('SET', 'client-output-buffer-limit', 'pubsub 64kb 32kb 1');
    const emitter = nodes[0].hub.emitter(ChatEventsDefinition);
    const text = 'x'.repeat(8 * 1024);
    // One pass: no subscriber of this process reads while 3000 x 8 KiB go through Redis, so its output buffers pass 64 KiB.
    for (let seq = 1; seq <= 3000; seq++) emitter.toAll().messagePosted({ room: '', from: '', text, seq });
    await waitUntil(() => log[1].includes('cutOff subscriber'), 'the subscriber of node 1 to be reported cut off', 10_000);
    await waitUntil(() => log[1].includes('reconnected subscriber'), 'node 1 to re-subscribe', 10_000);
    const info = await admin.info('stats');
    const limitClosures = /client_output_buffer_limit_disconnections:(\d+)/.exec(info)?.[1];
    if (limitClosures !== undefined) expect(Number(limitClosures)).toBeGreaterThanOrEqual(1);
    expect(buses[1].stats.cutOffs).toBeGreaterThanOrEqual(1);
    expect(there.posted.items.length).toBeLessThan(3000);
    // Back on the bus: a small push crosses again.
    await admin.config('SET', 'client-output-buffer-limit', 'pubsub 32mb 8mb 60');
    const before = there.posted.items.length;
    const marker = setInterval(() => emitter.toAll().messagePosted({ room: '', from: '', text: 'after', seq: 0 }), 20);
    try {
      await waitUntil(() => there.posted.items.slice(before).some((m) => m.text === 'after'), 'a push after the recovery to reach node 1', 5000);
    } finally {
      clearInterval(marker);
    }
  });
});
