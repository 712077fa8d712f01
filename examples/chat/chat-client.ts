// One chat user: a channel that says who it is, a typed client of Chat, and typed pushes of ChatEvents.
import { createChannel, createClient, joinRoom, leaveRoom, subscribePush, type Channel, type Client, type PushSubscription } from '../../src';
import { ChatDefinition, ChatEventsDefinition } from '../../generated/chat/chat';
import { followChatEvents } from './chat-event-lines';
import { chatIdentity } from './chat-identity';

/** A connected chat user. Every push it receives is logged as "<name> <- ...". */
export class ChatUser {
  readonly channel: Channel;
  readonly chat: Client<typeof ChatDefinition>;
  readonly events: PushSubscription<typeof ChatEventsDefinition>;
  /** Pushes received so far (for the demo to wait on). */
  received = 0;
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor(
    readonly name: string,
    port: number,
    private readonly log: (line: string) => void,
    role = 'member',
  ) {
    // A client interceptor sends who we are with every call (PushControl calls included).
    this.channel = createChannel({
      host: '127.0.0.1',
      port,
      interceptors: [chatIdentity(name, role)],
    });
    this.chat = createClient(ChatDefinition, this.channel);
    this.events = subscribePush(ChatEventsDefinition, this.channel);
    followChatEvents(this.events, (line) => this.got(line));
  }

  /** Connects and waits until the server has our subscriptions. */
  async connect(): Promise<this> {
    await this.channel.connect();
    await this.events.ready();
    return this;
  }

  join(room: string): Promise<void> {
    return joinRoom(this.channel, room);
  }

  leave(room: string): Promise<void> {
    return leaveRoom(this.channel, room);
  }

  /** Resolves once `count` pushes in total have arrived. */
  until(count: number): Promise<void> {
    if (this.received >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  close(): void {
    this.events.close();
    this.channel.close();
  }

  private got(line: string): void {
    this.received++;
    this.log(`${this.name.padEnd(5)} <- ${line}`);
    this.waiters = this.waiters.filter((waiter) => (this.received >= waiter.count ? (waiter.resolve(), false) : true));
  }
}
