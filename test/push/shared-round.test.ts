// Broadcasts of one flush round share one buffer per recipient set: every client still gets every push once, in order.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { subscribePush, joinRoom } from '../../src';
import { ChatEventsDefinition, type ChatMessage } from '../../generated/chat/chat';
import { Collector, StalledPeer, nextControlCall, startPush, type PushFixture } from './helpers';
import type { SlowConsumer } from '../../src/internal';

const POSTED = '/chat.v1.ChatEvents/MessagePosted';

interface Client {
  readonly id: number;
  readonly posted: Collector<ChatMessage>;
  /** The seqs this client should receive, in order. */
  readonly expected: number[];
}

async function client(fixture: PushFixture, rooms: string[] = [], options: Parameters<PushFixture['channel']>[0] = {}): Promise<Client> {
  const channel = await fixture.channel(options);
  const events = subscribePush(ChatEventsDefinition, channel);
  const posted = new Collector<ChatMessage>();
  const id = nextControlCall(fixture);
  events.messagePosted.on(posted.push);
  await events.ready();
  for (const room of rooms) await joinRoom(channel, room);
  return { id: await id, posted, expected: [] };
}

async function received(clients: Client[]): Promise<void> {
  await Promise.all(clients.map((c) => c.posted.until(c.expected.length)));
}

function seqs(c: Client): number[] {
  return c.posted.items.map((m) => m.seq);
}

let fixture: PushFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe('one shared buffer per flush round', () => {
  test('40 clients: broadcasts, room pushes, except and pushes to one connection interleaved; each client gets its pushes once, in order', async () => {
    const f = (fixture = await startPush());
    const clients: Client[] = [];
    for (let i = 0; i < 40; i++) clients.push(await client(f, i % 2 === 0 ? ['even'] : []));
    const emitter = f.hub.emitter(ChatEventsDefinition);
    let seq = 0;
    let expectedSent = 0;
    const before = f.hub.stats.sent;
    for (let burst = 0; burst < 12; burst++) {
      // One synchronous burst: one flush round, several recipient sets, text sizes on both sides of the by-reference threshold.
      for (let k = 0; k < 25; k++) {
        const text = k % 5 === 0 ? 'x'.repeat(1500) : `m${seq}`;
        const kind = (burst + k) % 4;
        const except = clients[(burst * 7 + k) % clients.length];
        const to = kind === 0 ? emitter.toAll() : kind === 1 ? emitter.toRoom('even') : kind === 2 ? emitter.toAll({ except: except.id }) : emitter.toConnection(except.id);
        const recipients = clients.filter((c, i) => (kind === 0 ? true : kind === 1 ? i % 2 === 0 : kind === 2 ? c !== except : c === except));
        const delivery = to.messagePosted({ room: '', from: 's', text, seq });
        expect(delivery).toEqual({ sent: recipients.length, dropped: 0, published: false });
        for (const c of recipients) c.expected.push(seq);
        expectedSent += recipients.length;
        seq++;
      }
      await received(clients);
    }
    for (const c of clients) {
      expect(seqs(c)).toEqual(c.expected);
      expect(f.hub.connectionStats(c.id)).toMatchObject({ sent: c.expected.length, dropped: 0 });
    }
    expect(f.hub.stats.sent - before).toBe(expectedSent);
  });

  test('memberships changed inside a round: an unsubscribed or departed member takes no more of it, a new one takes the rest', async () => {
    const f = (fixture = await startPush());
    const [a, b, c] = [await client(f, ['lobby']), await client(f, ['lobby']), await client(f)];
    const emitter = f.hub.emitter(ChatEventsDefinition);
    const all = emitter.toAll();
    const lobby = emitter.toRoom('lobby');
    const post = (seq: number, to = all): number => to.messagePosted({ room: '', from: 's', text: `m${seq}`, seq }).sent;

    expect(post(1)).toBe(3);
    f.hub.unsubscribe(b.id, POSTED);
    expect(post(2)).toBe(2);
    expect(f.hub.subscribe(b.id, POSTED)).toBe(true);
    expect(post(3)).toBe(3);
    expect(post(4, lobby)).toBe(2);
    expect(f.hub.leave(a.id, 'lobby')).toBe(true);
    expect(post(5, lobby)).toBe(1);
    expect(f.hub.join(c.id, 'lobby')).toBe(true);
    expect(post(6, lobby)).toBe(2);
    expect(post(7)).toBe(3);
    a.expected.push(1, 2, 3, 4, 7);
    b.expected.push(1, 3, 4, 5, 6, 7);
    c.expected.push(1, 2, 3, 6, 7);
    await received([a, b, c]);
    expect([seqs(a), seqs(b), seqs(c)]).toEqual([a.expected, b.expected, c.expected]);
    for (const x of [a, b, c]) expect(f.hub.connectionStats(x.id)?.sent).toBe(x.expected.length);
  });

  test('a stalled peer is refused pushes once its backlog would pass maxPushBacklogBytes; counted, its peers in the same batches get everything', async () => {
    const limit = 64 * 1024;
    const f = (fixture = await startPush({ maxPushBacklogBytes: limit }));
    const healthy = [await client(f), await client(f)];
    const stalledId = nextControlCall(f);
    const peer = await StalledPeer.connect(f.port, [POSTED]);
    const id = await stalledId;
    try {
      const slow: SlowConsumer[] = [];
      f.hub.on('slowConsumer', (event) => slow.push(event));
      const all = f.hub.emitter(ChatEventsDefinition).toAll();
      const text = randomBytes(3000).toString('base64'); // ~4 KiB frames
      let dropped = 0;
      let seq = 0;
      // Rounds of 8 pushes until the kernel's buffers for the stalled peer are full and the hub refuses it (bounded).
      for (let round = 0; round < 2000 && dropped < 40; round++) {
        for (let k = 0; k < 8; k++, seq++) {
          const delivery = all.messagePosted({ room: '', from: 's', text, seq });
          expect(delivery.sent + delivery.dropped).toBe(3);
          dropped += delivery.dropped;
          for (const c of healthy) c.expected.push(seq);
        }
        await received(healthy);
        expect(f.server.transport.connections.get(id)!.outboundBytes).toBeLessThanOrEqual(limit);
      }
      expect(dropped).toBeGreaterThanOrEqual(40);
      for (const c of healthy) expect(seqs(c)).toEqual(c.expected);
      expect(f.hub.connectionStats(id)).toMatchObject({ sent: seq - dropped, dropped });
      expect(f.hub.stats.dropped).toBe(dropped);
      // Reported once per batch that refused it, not once per push.
      expect(slow.length).toBeGreaterThan(0);
      expect(slow.length).toBeLessThan(dropped);
      expect(slow.every((event) => event.connectionId === id && event.action === 'dropped' && event.maxPushBacklogBytes === limit)).toBe(true);
    } finally {
      peer.destroy();
    }
  });

  test('obfuscated connections, with and without compression, decode every frame of the shared rounds', async () => {
    const xorKey = 'shared-round-key';
    const f = (fixture = await startPush({}, { xorKey, sendCompression: true, compressMinBytes: 256 }));
    const clients: Client[] = [];
    for (let i = 0; i < 6; i++) clients.push(await client(f, [], { xorKey, compression: i % 2 === 0 }));
    const all = f.hub.emitter(ChatEventsDefinition).toAll();
    const random = randomBytes(600).toString('base64');
    const texts = ['short', 'compressible '.repeat(400), random, 'y'.repeat(255)];
    const before = f.hub.stats.framesEncoded;
    let seq = 0;
    for (let burst = 0; burst < 4; burst++) {
      for (let k = 0; k < 8; k++, seq++) {
        expect(all.messagePosted({ room: '', from: 's', text: texts[seq % texts.length], seq }).sent).toBe(clients.length);
        for (const c of clients) c.expected.push(seq);
      }
      await received(clients);
    }
    for (const c of clients) {
      expect(seqs(c)).toEqual(c.expected);
      expect(c.posted.items.map((m) => m.text)).toEqual(c.expected.map((s) => texts[s % texts.length]));
    }
    // Two groups (compressing, plain): one frame per push below compressMinBytes ('short'), two above it (the rest).
    expect(f.hub.stats.framesEncoded - before).toBe(seq + (seq / texts.length) * 3);
  });
});
