// The adaptive push linger on real sockets: broadcasts arriving one after another while the hub is busy
// leave in far fewer socket writes per connection than with a fixed linger, and every client gets all of them in order.
import type { Socket } from 'node:net';
import type { FrameConnection } from '../../src/transport/tcp/frame-connection';
import { subscribePush, type Channel } from '../../src';
import { ChatEventsDefinition, type ChatMessage } from '../../generated/chat/chat';
import type { PushHubOptions } from '../../src/push/push-options';
import { countSocketWrites } from '../transport/socket-writes';
import { Collector, nextControlCall, startPush, type PushFixture } from './helpers';

const CLIENTS = 8;
const BROADCASTS = 30;
// Longer than the base linger (1 ms), so a fixed linger flushes between two broadcasts.
const SPACING_MS = 2;

interface Subscriber {
  readonly channel: Channel;
  readonly posted: Collector<ChatMessage>;
  /** Write requests of the server's side of this client's connection so far. */
  readonly writes: () => number;
}

let fixture: PushFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

/** CLIENTS typed subscribers, each with a counter of the server's socket writes to it. */
async function subscribers(f: PushFixture): Promise<Subscriber[]> {
  const all: Subscriber[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const channel = await f.channel();
    const subscription = subscribePush(ChatEventsDefinition, channel);
    const posted = new Collector<ChatMessage>();
    subscription.messagePosted.on(posted.push);
    const id = nextControlCall(f);
    await subscription.ready();
    all.push({ channel, posted, writes: countSocketWrites((f.server.transport.connections.get(await id) as FrameConnection).socket as Socket) });
  }
  return all;
}

const message = (seq: number): ChatMessage => ({ room: '', from: 'server', text: `m${seq}`, seq });

/**
 * One broadcast to make the hub busy (a round that flushed every connection), then BROADCASTS more, one
 * every SPACING_MS: the load pattern under test. Returns the writes per connection during those.
 */
async function burst(options: Partial<PushHubOptions>): Promise<number[]> {
  fixture = await startPush(options);
  const clients = await subscribers(fixture);
  const toAll = fixture.hub.emitter(ChatEventsDefinition).toAll();
  toAll.messagePosted(message(0));
  await Promise.all(clients.map((c) => c.posted.until(1)));
  const before = clients.map((c) => c.writes());
  for (let seq = 1; seq <= BROADCASTS; seq++) {
    expect(toAll.messagePosted(message(seq))).toEqual({ sent: CLIENTS, dropped: 0, published: false });
    await new Promise((resolve) => setTimeout(resolve, SPACING_MS));
  }
  await Promise.all(clients.map((c) => c.posted.until(BROADCASTS + 1)));
  for (const client of clients) expect(client.posted.items.map((m) => m.seq)).toEqual(Array.from({ length: BROADCASTS + 1 }, (_, i) => i));
  return clients.map((c, i) => c.writes() - before[i]);
}

describe('adaptive flush linger (maxFlushDelayMs, flushWritesPerMs) on real sockets', () => {
  test('a busy hub coalesces broadcasts into a few writes per connection; a fixed linger writes about once per broadcast', async () => {
    // 8 connections at 0.05 writes per ms: the busy hub holds each round 160 ms (the bound: 200 ms).
    const adaptive = await burst({ flushDelayMs: 1, maxFlushDelayMs: 200, flushWritesPerMs: 0.05 });
    await fixture!.close();
    const fixed = await burst({ flushDelayMs: 1, maxFlushDelayMs: 1 });
    for (const writes of fixed) expect(writes).toBeGreaterThanOrEqual(BROADCASTS / 2);
    for (const writes of adaptive) {
      expect(writes).toBeGreaterThanOrEqual(1);
      expect(writes).toBeLessThanOrEqual(4);
    }
  });
});
