import 'reflect-metadata';
import { container, inject } from 'tsyringe';
import {
  PushHub,
  PushError,
  RpcError,
  RpcServer,
  RpcService,
  Status,
  subscribePush,
  joinRoom,
  leaveRoom,
  tsyringeResolver,
  createClient,
  type CallContext,
  type Channel,
  type PushSubscription,
} from '../../src';
import { ChatDefinition, ChatEventsDefinition, type ChatMessage, type PostRequest, type PostReply, type WhoReply, type WhoRequest, type UserEvent } from '../../generated/chat/chat';
import { TestServiceDefinition } from '../../generated/test/testing';
import { FRAME_HEADER_BYTES, FrameFlag } from '../../src/codec/wire';
import { readU32 } from '../../src/codec/bytes';
import { Collector, events, nextControlCall, startPush, type PushFixture } from './helpers';

const POSTED = '/chat.v1.ChatEvents/MessagePosted';
const JOINED = '/chat.v1.ChatEvents/UserJoined';

interface Member {
  readonly channel: Channel;
  readonly id: number;
  readonly events: PushSubscription<typeof ChatEventsDefinition>;
  readonly posted: Collector<ChatMessage>;
  readonly joined: Collector<UserEvent>;
}

/** A typed client subscribed to MessagePosted and UserJoined, in `rooms`, with its server-side connection id. */
async function member(fixture: PushFixture, rooms: string[] = [], options: Parameters<PushFixture['channel']>[0] = {}): Promise<Member> {
  const channel = await fixture.channel(options);
  const subscription = subscribePush(ChatEventsDefinition, channel);
  const posted = new Collector<ChatMessage>();
  const joined = new Collector<UserEvent>();
  const id = nextControlCall(fixture);
  subscription.messagePosted.on(posted.push);
  subscription.userJoined.on(joined.push);
  await subscription.ready();
  for (const room of rooms) await joinRoom(channel, room);
  return { channel, id: await id, events: subscription, posted, joined };
}

function message(seq: number, text = `m${seq}`, room = 'lobby'): ChatMessage {
  return { room, from: 'server', text, seq };
}

/** Pushes a UserJoined marker to everyone and waits until each member has it: anything pushed before has arrived too. */
async function settle(fixture: PushFixture, members: Member[]): Promise<void> {
  const counts = members.map((m) => m.joined.items.length + 1);
  fixture.hub.emitter(ChatEventsDefinition).toAll().userJoined({ room: 'marker', user: 'marker' });
  await Promise.all(members.map((m, i) => m.joined.until(counts[i])));
}

let fixture: PushFixture;
afterEach(async () => {
  await fixture?.close();
});

describe('typed pushes', () => {
  test('to one connection by id, only on topics it subscribed to', async () => {
    fixture = await startPush();
    const a = await member(fixture);
    const emitter = fixture.hub.emitter(ChatEventsDefinition);
    expect(emitter.topics.messagePosted).toBe(POSTED);
    expect(emitter.toConnection(a.id).messagePosted(message(1, 'hello'))).toEqual({ sent: 1, dropped: 0, published: false });
    expect(emitter.toConnection(a.id).userLeft({ room: 'lobby', user: 'x' })).toEqual({ sent: 0, dropped: 0, published: false });
    expect(emitter.toConnection(999_999).messagePosted(message(2))).toEqual({ sent: 0, dropped: 0, published: false });
    await a.posted.until(1);
    expect(a.posted.items).toEqual([{ room: 'lobby', from: 'server', text: 'hello', seq: 1 }]);
    expect(fixture.hub.connectionStats(a.id)).toMatchObject({ sent: 1, dropped: 0, topics: expect.arrayContaining([POSTED, JOINED]) });
  });

  test('to a room reaches its members only, and except leaves the sender out', async () => {
    fixture = await startPush();
    const [a, b, c] = [await member(fixture, ['lobby']), await member(fixture, ['lobby']), await member(fixture, ['other'])];
    expect(fixture.hub.members('lobby').sort()).toEqual([a.id, b.id].sort());
    const room = fixture.hub.emitter(ChatEventsDefinition).toRoom('lobby', { except: a.id });
    expect(room.messagePosted(message(1))).toEqual({ sent: 1, dropped: 0, published: false });
    expect(fixture.hub.emitter(ChatEventsDefinition).toRoom('lobby').messagePosted(message(2))).toEqual({ sent: 2, dropped: 0, published: false });
    await settle(fixture, [a, b, c]);
    expect(a.posted.items.map((m) => m.seq)).toEqual([2]);
    expect(b.posted.items.map((m) => m.seq)).toEqual([1, 2]);
    expect(c.posted.items).toEqual([]);
    await leaveRoom(b.channel, 'lobby');
    expect(fixture.hub.members('lobby')).toEqual([a.id]);
  });

  test('to all subscribed connections, with except', async () => {
    fixture = await startPush();
    const members = [await member(fixture), await member(fixture), await member(fixture)];
    const all = fixture.hub.emitter(ChatEventsDefinition);
    expect(all.toAll().messagePosted(message(1))).toEqual({ sent: 3, dropped: 0, published: false });
    expect(all.toAll({ except: members[1].id }).messagePosted(message(2))).toEqual({ sent: 2, dropped: 0, published: false });
    await settle(fixture, members);
    expect(members.map((m) => m.posted.items.map((x) => x.seq))).toEqual([[1, 2], [1], [1, 2]]);
  });

  test('per-connection order is send order', async () => {
    fixture = await startPush();
    const a = await member(fixture);
    const to = fixture.hub.emitter(ChatEventsDefinition).toConnection(a.id);
    for (let seq = 0; seq < 2000; seq++) to.messagePosted(message(seq, seq % 7 === 0 ? 'x'.repeat(2000) : 'short'));
    await a.posted.until(2000);
    expect(a.posted.items.map((m) => m.seq)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
  });

  test('for await consumers buffer at most maxBufferedPushes, dropping the oldest', async () => {
    fixture = await startPush();
    const channel = await fixture.channel();
    const subscription = subscribePush(ChatEventsDefinition, channel, { maxBufferedPushes: 4 });
    const seen = new Collector<ChatMessage>();
    subscription.messagePosted.on(seen.push);
    const iterator = subscription.messagePosted[Symbol.asyncIterator]();
    await subscription.ready();
    const emitter = fixture.hub.emitter(ChatEventsDefinition).toAll();
    for (let seq = 1; seq <= 10; seq++) emitter.messagePosted(message(seq));
    await seen.until(10);
    const read: number[] = [];
    for (let i = 0; i < 4; i++) read.push(((await iterator.next()).value as ChatMessage).seq);
    expect(read).toEqual([7, 8, 9, 10]);
    expect(subscription.messagePosted.dropped).toBe(6);
    const pending = iterator.next();
    emitter.messagePosted(message(11));
    expect(((await pending).value as ChatMessage).seq).toBe(11);
    subscription.close();
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    expect(subscription.closed).toBe(true);
    await subscription.ready();
    expect(fixture.hub.subscribers(POSTED)).toEqual([]);
  });
});

describe('subscriptions are server-side', () => {
  test('unsubscribing stops the server sending: no frames leave for that connection', async () => {
    fixture = await startPush();
    const channel = await fixture.channel();
    const subscription = subscribePush(ChatEventsDefinition, channel);
    const posted = new Collector<ChatMessage>();
    const joined = new Collector<UserEvent>();
    const id = nextControlCall(fixture);
    const stop = subscription.messagePosted.on(posted.push);
    subscription.userJoined.on(joined.push);
    await subscription.ready();
    const connection = fixture.server.transport.connections.get(await id)!;
    const emitter = fixture.hub.emitter(ChatEventsDefinition).toAll();
    emitter.messagePosted(message(1));
    await posted.until(1);

    stop();
    await subscription.ready();
    expect(fixture.hub.subscribers(POSTED)).toEqual([]);
    const frames = jest.spyOn(connection, 'sendEncoded');
    const sentBefore = fixture.hub.stats.sent;
    for (let seq = 2; seq <= 50; seq++) expect(emitter.messagePosted(message(seq))).toEqual({ sent: 0, dropped: 0, published: false });
    emitter.userJoined({ room: 'r', user: 'marker' });
    await joined.until(1);
    expect(frames).toHaveBeenCalledTimes(1); // the marker only
    expect(fixture.hub.stats.sent - sentBefore).toBe(1);
    expect(posted.items.map((m) => m.seq)).toEqual([1]);
  });

  test('a closed connection leaves its rooms and topics', async () => {
    fixture = await startPush();
    const a = await member(fixture, ['x', 'y']);
    const b = await member(fixture, ['x']);
    expect(fixture.hub.stats).toMatchObject({ connections: 2, rooms: 2, topics: 2 });
    const left = events(fixture.hub, 'leave', 2);
    a.channel.close();
    const gone = await left;
    expect(gone.map(([id, room, reason]) => [id, room, reason]).sort()).toEqual([
      [a.id, 'x', 'disconnected'],
      [a.id, 'y', 'disconnected'],
    ]);
    expect(fixture.hub.members('x')).toEqual([b.id]);
    expect(fixture.hub.rooms()).toEqual(['x']);
    expect(fixture.hub.subscribers(POSTED)).toEqual([b.id]);
    expect(fixture.hub.connectionStats(a.id)).toBeUndefined();
    expect(fixture.hub.join(a.id, 'x')).toBe(false);
    expect(fixture.hub.stats).toMatchObject({ connections: 1, rooms: 1 });
  });

  test('subscriptions and rooms are sent again after a reconnect', async () => {
    fixture = await startPush();
    const a = await member(fixture, ['lobby']);
    const reconnected = events(a.channel.transport, 'connection');
    const rejoined = events(fixture.hub, 'join');
    fixture.server.transport.connections.get(a.id)!.close();
    await reconnected;
    await a.events.ready();
    const [[newId, room]] = await rejoined;
    expect(room).toBe('lobby');
    expect(newId).not.toBe(a.id);
    expect(fixture.hub.emitter(ChatEventsDefinition).toRoom('lobby').messagePosted(message(7))).toEqual({ sent: 1, dropped: 0, published: false });
    await a.posted.until(1);
    expect(a.posted.items[0].seq).toBe(7);
  });
});

describe('join after subscribe', () => {
  /** A hub that greets every joiner with a UserJoined push to that connection, recording what it returned. */
  function greetOnJoin(results: { sent: number; dropped: number }[]): void {
    fixture.hub.on('join', (id, room) => {
      results.push(fixture.hub.emitter(ChatEventsDefinition).toConnection(id).userJoined({ room, user: 'welcome' }));
    });
  }

  test('a push sent from the join event reaches the joiner who subscribed in the same tick', async () => {
    fixture = await startPush();
    const results: { sent: number; dropped: number }[] = [];
    greetOnJoin(results);
    const channel = await fixture.channel();
    const welcomed = new Collector<UserEvent>();
    const joining = joinRoom(channel, 'lobby'); // before the listener, in the same tick
    subscribePush(ChatEventsDefinition, channel).userJoined.on(welcomed.push);
    await joining;
    expect(results).toEqual([{ sent: 1, dropped: 0, published: false }]);
    await welcomed.until(1);
    expect(welcomed.items).toEqual([{ room: 'lobby', user: 'welcome' }]);
  });

  test('and again after a reconnect, when the rooms are re-joined', async () => {
    fixture = await startPush();
    const results: { sent: number; dropped: number }[] = [];
    const a = await member(fixture, ['lobby']);
    greetOnJoin(results);
    const rejoined = events(fixture.hub, 'join');
    fixture.server.transport.connections.get(a.id)!.close();
    await rejoined;
    expect(results).toEqual([{ sent: 1, dropped: 0, published: false }]);
    await a.joined.until(1);
    expect(a.joined.items).toEqual([{ room: 'lobby', user: 'welcome' }]);
  });
});

describe('encode once, send many', () => {
  test('one protobuf encode and one frame per encoding variant; each recipient is handed one view of the round buffer of its group', async () => {
    fixture = await startPush({}, { sendCompression: true });
    const compressing = [await member(fixture), await member(fixture), await member(fixture)];
    const plain = await member(fixture, [], { compression: false });
    const everyone = [...compressing, plain];
    const spies = everyone.map((m) => jest.spyOn(fixture.server.transport.connections.get(m.id)!, 'sendEncoded'));
    const emitter = fixture.hub.emitter(ChatEventsDefinition).toAll();

    let before = fixture.hub.stats;
    expect(emitter.messagePosted(message(1, 'small'))).toEqual({ sent: 4, dropped: 0, published: false });
    expect(fixture.hub.stats.messagesEncoded - before.messagesEncoded).toBe(1);
    expect(fixture.hub.stats.framesEncoded - before.framesEncoded).toBe(1); // below compressMinBytes: one variant

    before = fixture.hub.stats;
    const big = 'compressible text '.repeat(300);
    expect(emitter.messagePosted(message(2, big))).toEqual({ sent: 4, dropped: 0, published: false });
    expect(fixture.hub.stats.messagesEncoded - before.messagesEncoded).toBe(1);
    expect(fixture.hub.stats.framesEncoded - before.framesEncoded).toBe(2); // compressed + plain
    for (const spy of spies) expect(spy).not.toHaveBeenCalled(); // held for the round's flush

    await Promise.all(everyone.map((m) => m.posted.until(2)));
    for (const m of everyone) expect(m.posted.items.map((x) => x.text)).toEqual(['small', big]);
    // One call per connection for the round, with both frames; the compressing group shares one buffer.
    for (const spy of spies) expect(spy).toHaveBeenCalledTimes(1);
    const shared = spies[0].mock.calls[0][0];
    for (const spy of spies.slice(1, 3)) expect(spy.mock.calls[0][0].buffer).toBe(shared.buffer);
    const plainRound = spies[3].mock.calls[0][0];
    expect(plainRound.buffer).not.toBe(shared.buffer);
    const second = (round: Uint8Array): Uint8Array => round.subarray(FRAME_HEADER_BYTES + readU32(round, 0));
    expect(second(shared)[5] & FrameFlag.COMPRESSED).toBe(FrameFlag.COMPRESSED);
    expect(second(plainRound)[5] & FrameFlag.COMPRESSED).toBe(0);
    expect(second(shared).length).toBeLessThan(second(plainRound).length - FRAME_HEADER_BYTES);
  });
});

describe('authorising control calls', () => {
  test('Join passes the server interceptors (method path + metadata) and authorizeJoin (room)', async () => {
    fixture = await startPush({ authorizeJoin: (room, context) => room !== 'staff' || context.metadata.get('role') === 'admin' });
    fixture.server.use(async (context, next) => {
      if (context.method === '/framerpc.push.v1.PushControl/Join' && !context.metadata.get('user')) throw new RpcError(Status.UNAUTHENTICATED, 'send a "user" metadata entry');
      return next();
    });
    const channel = await fixture.channel();
    await expect(joinRoom(channel, 'lobby')).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
    await expect(joinRoom(channel, 'staff', { metadata: { user: 'eve' } })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    await joinRoom(channel, 'lobby', { metadata: { user: 'eve' } });
    await joinRoom(channel, 'staff', { metadata: { user: 'root', role: 'admin' } });
    expect(fixture.hub.rooms().sort()).toEqual(['lobby', 'staff']);
    await expect(joinRoom(channel, '', { metadata: { user: 'eve' } })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
  });

  test('subscribe refuses malformed topics and more than maxTopicsPerConnection', async () => {
    fixture = await startPush({ maxTopicsPerConnection: 2 });
    const channel = await fixture.channel();
    const subscription = subscribePush(ChatEventsDefinition, channel);
    subscription.messagePosted.on(() => undefined);
    subscription.userJoined.on(() => undefined);
    subscription.userLeft.on(() => undefined);
    await expect(subscription.ready()).rejects.toMatchObject({ code: Status.RESOURCE_EXHAUSTED });
  });
});

describe('dependency injection', () => {
  test('a @RpcService handler gets the hub injected and broadcasts to a room on a call', async () => {
    @RpcService(ChatDefinition)
    class ChatHandler {
      private seq = 0;
      constructor(@inject(PushHub) private readonly hub: PushHub) {}
      post(request: PostRequest, context: CallContext): PostReply {
        const seq = ++this.seq;
        const from = String(context.metadata.get('user') ?? '?');
        const delivery = this.hub.emitter(ChatEventsDefinition).toRoom(request.room, { except: context.connectionId }).messagePosted({ room: request.room, from, text: request.text, seq });
        return { seq, delivered: delivery.sent, dropped: delivery.dropped };
      }
      who(request: WhoRequest): WhoReply {
        return { users: this.hub.members(request.room).map(String) };
      }
    }
    const scope = container.createChildContainer();
    fixture = await startPush({}, { resolver: tsyringeResolver(scope) });
    scope.registerInstance(PushHub, fixture.hub);
    fixture.server.add(ChatHandler);
    const [alice, bob] = [await member(fixture, ['lobby']), await member(fixture, ['lobby'])];
    const reply = await createClient(ChatDefinition, alice.channel).post({ room: 'lobby', text: 'hi bob' }, { metadata: { user: 'alice' } });
    expect(reply).toEqual({ seq: 1, delivered: 1, dropped: 0 });
    await bob.posted.until(1);
    expect(bob.posted.items[0]).toEqual({ room: 'lobby', from: 'alice', text: 'hi bob', seq: 1 });
    await settle(fixture, [alice, bob]);
    expect(alice.posted.items).toEqual([]);
  });
});

describe('misuse', () => {
  test('options and event services are checked up front, naming the problem', async () => {
    fixture = await startPush();
    expect(() => new PushHub(fixture.server, { maxPushBacklogBytes: 64 * 1024 * 1024 })).toThrow(/maxPushBacklogBytes must be a positive integer below the transport's maxOutboundBytes/);
    expect(() => new PushHub(fixture.server, { slowConsumer: 'block' as never })).toThrow(PushError);
    expect(() => fixture.hub.emitter(TestServiceDefinition)).toThrow(expect.objectContaining({ code: 'ERR_PUSH_BAD_EVENT_SERVICE' }));
    expect(() => fixture.hub.join(1, '')).toThrow(expect.objectContaining({ code: 'ERR_PUSH_BAD_ROOM' }));
    expect(() => fixture.hub.setRoomPolicy('r', { maxPushBacklogBytes: -1 })).toThrow(/room policy "r" maxPushBacklogBytes/);
  });
});

describe('flushDelayMs (pushes held briefly, then flushed together)', () => {
  test('holds pushes past the end of the event-loop pass, then delivers every one in order', async () => {
    fixture = await startPush({ flushDelayMs: 100 });
    const a = await member(fixture);
    const connection = fixture.server.transport.connections.get(a.id)!;
    const to = fixture.hub.emitter(ChatEventsDefinition).toConnection(a.id);
    for (let seq = 1; seq <= 5; seq++) to.messagePosted(message(seq));
    await new Promise((resolve) => setImmediate(resolve));
    expect(connection.outboundBytes).toBeGreaterThan(0); // still held: no end-of-pass flush
    expect(a.posted.items).toHaveLength(0);
    await a.posted.until(5);
    expect(a.posted.items.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  test('0 flushes at the end of the pass', async () => {
    fixture = await startPush({ flushDelayMs: 0 });
    const a = await member(fixture);
    const connection = fixture.server.transport.connections.get(a.id)!;
    fixture.hub.emitter(ChatEventsDefinition).toConnection(a.id).messagePosted(message(1));
    await new Promise((resolve) => setImmediate(resolve));
    expect(connection.outboundBytes).toBe(0);
    await a.posted.until(1);
  });

  test('must be 0 to 1000 ms', async () => {
    const server = new RpcServer();
    expect(() => new PushHub(server, { flushDelayMs: -1 })).toThrow(/flushDelayMs must be a number of ms from 0 to 1000/);
    expect(() => new PushHub(server, { flushDelayMs: 5000 })).toThrow(PushError);
  });
});
