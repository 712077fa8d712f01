// A PushBus over Redis pub/sub (ioredis): every node publishes each push once, and fans out what the others publish.
import { EventEmitter } from 'node:events';
import type { BusMessage, PushBus, PushBusNode } from '../push-bus';
import { PushError, PushErrorCode } from '../push-error';
import { decodeEnvelope, encodeEnvelope } from './bus-envelope';
import { resolveRedisPushBusOptions, type RedisPushBusOptions } from './redis-bus-options';
import type { RedisMessageListener } from './redis-clients';

/** Which of the bus's two connections an event is about. */
export type RedisBusConnection = 'publisher' | 'subscriber';

export interface RedisPushBusEvents {
  /**
   * A connection to Redis was lost: for the subscriber, pushes of other nodes are missed until it is
   * back (its clients may have missed pushes); for the publisher, this node's pushes are dropped for
   * the other nodes (counted in droppedCutOff). ioredis reconnects by itself.
   */
  cutOff: [connection: RedisBusConnection];
  /** A lost connection is back (the subscriber re-subscribed), after `cutOffMs` without it. */
  reconnected: [connection: RedisBusConnection, cutOffMs: number];
}

/** Counters of a RedisPushBus since it was created. */
export interface RedisPushBusStats {
  /** Pushes published for the other nodes. */
  published: number;
  /** Publishes Redis answered with an error (the push was lost for the other nodes). */
  publishErrors: number;
  /** Pushes not published: the message was larger than maxMessageBytes. */
  droppedTooLarge: number;
  /** Pushes not published: maxPendingPublishes or maxPendingBytes were reached (Redis slow). */
  droppedQueueFull: number;
  /** Pushes not published: the publisher was not connected. */
  droppedCutOff: number;
  /** Pushes received from other nodes and handed to the hub. */
  received: number;
  /** Messages on the bus's channels that were not envelopes (skipped). */
  malformed: number;
  /** Times a connection to Redis was lost (the 'cutOff' event). */
  cutOffs: number;
  /** Milliseconds the subscriber spent cut off in total (during which other nodes' pushes were missed). */
  cutOffMs: number;
  /** Publishes sent and not yet answered, and their bytes. */
  pendingPublishes: number;
  pendingBytes: number;
}

/**
 * Joins the PushHubs of several processes through Redis pub/sub, as socket.io's Redis adapter does:
 * `new PushHub(server, { bus: new RedisPushBus({ publisher, subscriber }) })` on every node, with the
 * same Redis (two ioredis connections each, the subscriber dedicated). A push to a room, to all or to
 * all but one is published once on `<prefix>:all` (rooms on `<prefix>:room:<room>` with roomChannels);
 * every node fans it out to its own members with the payload the publisher encoded. A push to one
 * connection goes to its node's channel only.
 *
 * Delivery across nodes is at most once: nothing is queued without bound, and what cannot be carried
 * is dropped and counted (stats); a node cut off from Redis says so ('cutOff', then 'reconnected').
 */
export class RedisPushBus extends EventEmitter<RedisPushBusEvents> implements PushBus {
  readonly options: RedisPushBusOptions;
  private readonly counters: RedisPushBusStats = {
    published: 0,
    publishErrors: 0,
    droppedTooLarge: 0,
    droppedQueueFull: 0,
    droppedCutOff: 0,
    received: 0,
    malformed: 0,
    cutOffs: 0,
    cutOffMs: 0,
    pendingPublishes: 0,
    pendingBytes: 0,
  };
  private node: PushBusNode | undefined;
  private channels: string[] = [];
  /** Channels of the rooms this node has members in (option roomChannels). */
  private readonly roomChannelNames = new Set<string>();
  /** Every room SUBSCRIBE / UNSUBSCRIBE sent so far, settled: ready() waits for it. */
  private roomSync: Promise<unknown> = Promise.resolve();
  private readonly allChannel: string;
  /** Bumped by every subscribe attempt: only the latest one's answer makes the bus live. */
  private generation = 0;
  private live = false;
  private liveWaiters: (() => void)[] = [];
  private readonly cutOffSince: Record<RedisBusConnection, number | undefined> = { publisher: undefined, subscriber: undefined };
  private publisherUp: boolean;
  private closed = false;

  private readonly onMessage: RedisMessageListener = (_channel, bytes) => this.receive(bytes);
  private readonly onSubscriberReady = (): void => this.subscribeChannels();
  private readonly onSubscriberClose = (): void => {
    this.generation++;
    if (this.live) {
      this.live = false;
      this.cutOff('subscriber');
    }
  };
  private readonly onPublisherReady = (): void => {
    this.publisherUp = true;
    this.reconnected('publisher');
  };
  private readonly onPublisherClose = (): void => {
    if (!this.publisherUp) return;
    this.publisherUp = false;
    this.cutOff('publisher');
  };

  constructor(options: Partial<RedisPushBusOptions> & Pick<RedisPushBusOptions, 'publisher' | 'subscriber'>) {
    super();
    this.options = resolveRedisPushBusOptions(options);
    this.allChannel = `${this.options.channelPrefix}:all`;
    this.publisherUp = this.options.publisher.status === 'ready';
    const { publisher, subscriber } = this.options;
    publisher.on('ready', this.onPublisherReady);
    publisher.on('close', this.onPublisherClose);
    subscriber.on('ready', this.onSubscriberReady);
    subscriber.on('close', this.onSubscriberClose);
    subscriber.on(this.options.sharded ? 'smessageBuffer' : 'messageBuffer', this.onMessage);
  }

  /** Other nodes may always be listening on Redis: the hub publishes every push that may reach them. */
  get shared(): boolean {
    return !this.closed;
  }

  /** A snapshot of the counters. */
  get stats(): Readonly<RedisPushBusStats> {
    return { ...this.counters };
  }

  /** The channel of a room's pushes (option roomChannels). */
  roomChannel(room: string): string {
    return `${this.options.channelPrefix}:room:${room}`;
  }

  /** The channel a node's connection-targeted pushes go to. */
  nodeChannel(nodeId: string): string {
    return `${this.options.channelPrefix}:node:${nodeId}`;
  }

  attach(node: PushBusNode): void {
    if (this.node)
      throw new PushError(PushErrorCode.NODE_ID_TAKEN, `this RedisPushBus already carries hub ${JSON.stringify(this.node.nodeId)}; create one bus (and one subscriber connection) per hub`);
    if (this.closed) throw new PushError(PushErrorCode.CLOSED, 'this RedisPushBus is closed; create a new one');
    this.node = node;
    this.channels = [this.allChannel, this.nodeChannel(node.nodeId)];
    this.subscribeChannels();
  }

  detach(node: PushBusNode): void {
    if (this.node !== node) return;
    this.node = undefined;
    this.unsubscribeChannels();
  }

  /** Resolves once the subscriber is subscribed to the bus's channels, rooms' included (pushes of other nodes arrive). */
  async ready(): Promise<void> {
    if (!this.live) await new Promise<void>((resolve) => this.liveWaiters.push(resolve));
    await this.roomSync;
  }

  /** With roomChannels: listens to a room's channel while this node has members in it. */
  watchRoom(room: string, watching: boolean): void {
    if (!this.options.roomChannels || !this.node || this.closed) return;
    const channel = this.roomChannel(room);
    if (watching) this.roomChannelNames.add(channel);
    else this.roomChannelNames.delete(channel);
    // While disconnected, the next 'ready' subscribes to the whole set.
    const { subscriber, sharded } = this.options;
    if (subscriber.status !== 'ready') return;
    const change = watching ? (sharded ? subscriber.ssubscribe(channel) : subscriber.subscribe(channel)) : sharded ? subscriber.sunsubscribe(channel) : subscriber.unsubscribe(channel);
    this.roomSync = Promise.all([this.roomSync, change.catch(() => undefined)]);
  }

  /** True while the subscriber is subscribed (not cut off). */
  get subscribed(): boolean {
    return this.live;
  }

  publish(message: BusMessage): boolean {
    if (this.closed || !this.node) return false;
    const { publisher, maxMessageBytes, maxPendingPublishes, maxPendingBytes, sharded } = this.options;
    if (message.payload.length > maxMessageBytes) {
      this.counters.droppedTooLarge++;
      return false;
    }
    if (publisher.status !== 'ready') {
      this.counters.droppedCutOff++;
      return false;
    }
    const counters = this.counters;
    if (counters.pendingPublishes >= maxPendingPublishes || counters.pendingBytes + message.payload.length > maxPendingBytes) {
      counters.droppedQueueFull++;
      return false;
    }
    const envelope = encodeEnvelope(message);
    if (envelope.length > maxMessageBytes) {
      counters.droppedTooLarge++;
      return false;
    }
    const target = message.target;
    const channel = target.kind === 'connection' ? this.nodeChannel(target.nodeId) : target.kind === 'room' && this.options.roomChannels ? this.roomChannel(target.room) : this.allChannel;
    const bytes = envelope.length;
    counters.pendingPublishes++;
    counters.pendingBytes += bytes;
    counters.published++;
    const settled = (): void => {
      counters.pendingPublishes--;
      counters.pendingBytes -= bytes;
    };
    (sharded ? publisher.spublish(channel, envelope) : publisher.publish(channel, envelope)).then(settled, () => {
      settled();
      counters.publishErrors++;
    });
    return true;
  }

  /** Leaves the channels and stops following both connections (which stay open: they are the caller's to quit). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribeChannels();
    const { publisher, subscriber } = this.options;
    publisher.off('ready', this.onPublisherReady);
    publisher.off('close', this.onPublisherClose);
    subscriber.off('ready', this.onSubscriberReady);
    subscriber.off('close', this.onSubscriberClose);
    subscriber.off(this.options.sharded ? 'smessageBuffer' : 'messageBuffer', this.onMessage);
    this.node = undefined;
  }

  /** Subscribes (again, after a reconnect: Redis forgets a closed connection's subscriptions) and goes live on the answer. */
  private subscribeChannels(): void {
    if (!this.node || this.closed) return;
    const generation = ++this.generation;
    const { subscriber, sharded } = this.options;
    const channels = [...this.channels, ...this.roomChannelNames];
    // SSUBSCRIBE takes channels of one slot only (CROSSSLOT otherwise): one call per channel.
    const subscribing = sharded ? Promise.all(channels.map((channel) => subscriber.ssubscribe(channel))) : subscriber.subscribe(...channels);
    subscribing.then(
      () => {
        if (generation !== this.generation || this.closed) return;
        this.live = true;
        this.reconnected('subscriber');
        for (const resolve of this.liveWaiters.splice(0)) resolve();
      },
      () => {
        // The connection went away mid-way: its next 'ready' subscribes again.
      },
    );
  }

  private unsubscribeChannels(): void {
    this.generation++;
    this.live = false;
    const { subscriber, sharded } = this.options;
    const channels = [...this.channels, ...this.roomChannelNames];
    this.roomChannelNames.clear();
    if (subscriber.status !== 'ready' || channels.length === 0) return;
    const leaving = sharded ? Promise.all(channels.map((channel) => subscriber.sunsubscribe(channel))) : subscriber.unsubscribe(...channels);
    leaving.catch(() => undefined);
  }

  private receive(bytes: Buffer): void {
    const node = this.node;
    if (!node) return;
    const message = decodeEnvelope(bytes);
    if (!message) {
      this.counters.malformed++;
      return;
    }
    if (message.origin === node.nodeId) return; // our own broadcast, already fanned out here
    this.counters.received++;
    node.receive(message);
  }

  private cutOff(connection: RedisBusConnection): void {
    if (this.cutOffSince[connection] !== undefined) return;
    this.cutOffSince[connection] = performance.now();
    this.counters.cutOffs++;
    this.emit('cutOff', connection);
  }

  private reconnected(connection: RedisBusConnection): void {
    const since = this.cutOffSince[connection];
    if (since === undefined) return;
    this.cutOffSince[connection] = undefined;
    const cutOffMs = performance.now() - since;
    if (connection === 'subscriber') this.counters.cutOffMs += cutOffMs;
    this.emit('reconnected', connection, cutOffMs);
  }
}
