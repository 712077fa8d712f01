import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { subscribePush, CloseCode, type CloseInfo, type SlowConsumer } from '../../src/internal';
import { ChatEventsDefinition, type ChatMessage } from '../../generated/chat/chat';
import { Collector, SUBSCRIBE, StalledPeer, startPush, type PushFixture } from './helpers';

const POSTED = '/chat.v1.ChatEvents/MessagePosted';
const MAX_BACKLOG = 256 * 1024;
const SLOW = 5;
const HEALTHY = 2;
// Enough to fill the kernel's socket buffers of each stalled peer several times over (loopback: a few MiB).
const MESSAGES = 4000;
const BATCH = 24; // 24 x ~4 KiB stays under MAX_BACKLOG, so healthy clients never fall behind it
const TEXTS = Array.from({ length: 16 }, () => randomBytes(3000).toString('base64')); // 4000 chars, barely compressible

interface Scenario {
  fixture: PushFixture;
  slowIds: number[];
  healthy: Collector<ChatMessage>[];
  healthyIds: number[];
  peers: StalledPeer[];
}

async function scenario(slowConsumer: 'drop' | 'disconnect'): Promise<Scenario> {
  // Compression on: the healthy peers take the compressed variant, the stalled raw ones the plain one.
  const fixture = await startPush({ maxPushBacklogBytes: MAX_BACKLOG, slowConsumer }, { sendCompression: true });
  const healthy: Collector<ChatMessage>[] = [];
  const healthyIds: number[] = [];
  const slowIds: number[] = [];
  const subscribed = new Promise<void>((resolve) => {
    fixture.controlCalls.on('done', (method, connectionId, metadata) => {
      if (method !== SUBSCRIBE) return;
      (metadata.get('role') === 'slow' ? slowIds : healthyIds).push(connectionId);
      if (slowIds.length === SLOW && healthyIds.length === HEALTHY) resolve();
    });
  });
  for (let i = 0; i < HEALTHY; i++) {
    const channel = await fixture.channel();
    const collector = new Collector<ChatMessage>();
    const events = subscribePush(ChatEventsDefinition, channel);
    events.messagePosted.on(collector.push);
    await events.ready();
    healthy.push(collector);
  }
  const peers = await Promise.all(Array.from({ length: SLOW }, () => StalledPeer.connect(fixture.port, [POSTED], { role: 'slow' })));
  await subscribed;
  return { fixture, slowIds, healthy, healthyIds, peers };
}

/** Broadcasts MESSAGES pushes in batches, waiting for the healthy clients after each; returns the largest slow backlog seen. */
async function broadcast(s: Scenario): Promise<number> {
  const emitter = s.fixture.hub.emitter(ChatEventsDefinition).toAll();
  const connections = s.fixture.server.transport.connections;
  let largest = 0;
  for (let seq = 0; seq < MESSAGES;) {
    const end = Math.min(MESSAGES, seq + BATCH);
    for (; seq < end; seq++) {
      emitter.messagePosted({ room: 'all', from: 'server', text: TEXTS[seq % TEXTS.length], seq });
      for (const id of s.slowIds) largest = Math.max(largest, connections.get(id)?.outboundBytes ?? 0);
    }
    await Promise.all(s.healthy.map((collector) => collector.until(end)));
  }
  return largest;
}

function expectHealthyGotEverything(s: Scenario): void {
  const expected = Array.from({ length: MESSAGES }, (_, i) => i);
  for (const collector of s.healthy) expect(collector.items.map((m) => m.seq)).toEqual(expected);
  for (const id of s.healthyIds) expect(s.fixture.hub.connectionStats(id)).toMatchObject({ sent: MESSAGES, dropped: 0 });
}

let current: Scenario | undefined;
afterEach(async () => {
  for (const peer of current?.peers ?? []) peer.destroy();
  await current?.fixture.close();
  current = undefined;
});

describe('slow consumers', () => {
  test("policy 'drop': stalled peers cost at most maxPushBacklogBytes each, drops are counted, healthy peers get every push in order", async () => {
    const s = (current = await scenario('drop'));
    const largest = await broadcast(s);
    const frameBytes = 10 + 1 + POSTED.length + 4100;
    expect(largest).toBeLessThanOrEqual(MAX_BACKLOG + frameBytes);
    let dropped = 0;
    for (const id of s.slowIds) {
      const stats = s.fixture.hub.connectionStats(id)!;
      expect(stats.dropped).toBeGreaterThan(0);
      expect(stats.sent + stats.dropped).toBe(MESSAGES);
      expect(s.fixture.server.transport.connections.get(id)?.outboundBytes).toBeLessThanOrEqual(MAX_BACKLOG);
      dropped += stats.dropped;
    }
    expect(s.fixture.hub.stats.dropped).toBe(dropped);
    expect(s.fixture.hub.stats.slowDisconnects).toBe(0);
    expectHealthyGotEverything(s);
    // Each push was encoded once (one variant: the stalled peers do not accept compression, healthy ones do).
    expect(s.fixture.hub.stats.messagesEncoded).toBe(MESSAGES);
    expect(s.fixture.hub.stats.framesEncoded).toBe(2 * MESSAGES);
  });

  test("policy 'disconnect': stalled peers are closed with OUTBOUND_OVERFLOW and a reason, healthy peers get every push", async () => {
    const s = (current = await scenario('disconnect'));
    const closes = s.slowIds.map((id) => new Promise<CloseInfo>((resolve) => s.fixture.server.transport.connections.get(id)!.once('close', resolve)));
    const slow: SlowConsumer[] = [];
    s.fixture.hub.on('slowConsumer', (event) => slow.push(event));
    const largest = await broadcast(s);
    expect(largest).toBeLessThanOrEqual(MAX_BACKLOG + 10 + 1 + POSTED.length + 4100);
    const infos = await Promise.all(closes);
    for (const info of infos) {
      expect(info.code).toBe(CloseCode.OUTBOUND_OVERFLOW);
      expect(info.reason).toMatch(/^fell behind on pushes: \d+ bytes unsent, past maxPushBacklogBytes \(262144\)/);
    }
    expect(slow.map((event) => event.connectionId).sort()).toEqual([...s.slowIds].sort());
    expect(slow.every((event) => event.action === 'disconnected' && event.topic === POSTED)).toBe(true);
    expect(s.fixture.hub.stats.slowDisconnects).toBe(SLOW);
    expectHealthyGotEverything(s);
    // The peers read at last and see the connection end. (The GOAWAY carrying the reason does not reach a
    // peer this far behind yet: FrameConnection.close() ends the socket while its queue is blocked; docs/push.md.)
    await Promise.all(s.peers.map((peer) => peer.readAll()));
    expect(s.fixture.hub.stats.connections).toBe(HEALTHY);
  });
});
