// The client side of one channel: routes PUSH frames to listeners by topic, and keeps the server's view
// of this channel's subscriptions and rooms in step, on every connection the channel opens.
import { PushControlDefinition } from '../../generated/framerpc/push/v1/push';
import type { CallOptions } from '../client/call-options';
import type { Channel } from '../client/channel';
import { createClient, type Client } from '../client/create-client';
import type { Multiplexer } from '../client/multiplexer';
import type { EventTopic } from './event-topics';
import { decodePushPayload } from './push-wire';

type Listener = (message: unknown) => void;

interface TopicEntry {
  readonly topic: EventTopic;
  readonly listeners: Set<Listener>;
}

const routers = new WeakMap<Channel, PushRouter>();

/**
 * @internal One per channel, shared by every subscribePush and joinRoom on it. A topic is subscribed on
 * the server while it has at least one local listener; changes made in one tick go out as one Subscribe
 * and one Unsubscribe call. Each new connection (Channel.onMultiplexer) starts with nothing on the server,
 * so subscriptions and rooms joined through joinRoom are sent again.
 */
export class PushRouter {
  /** Pushes whose topic had no local listener (arrived after an unsubscribe, before the server knew). */
  ignored = 0;
  private readonly control: Client<typeof PushControlDefinition>;
  private readonly topics = new Map<string, TopicEntry>();
  private readonly rooms = new Map<string, CallOptions | undefined>();
  /** Topics the server has acknowledged on connection number `generation`. */
  private acked = new Set<string>();
  private generation = 0;
  private syncing: Promise<void> | undefined;
  private dirty = false;
  private syncError: unknown;

  static for(channel: Channel): PushRouter {
    let router = routers.get(channel);
    if (!router) {
      router = new PushRouter(channel);
      routers.set(channel, router);
    }
    return router;
  }

  private constructor(readonly channel: Channel) {
    this.control = createClient(PushControlDefinition, channel);
    channel.onMultiplexer((mux) => this.attach(mux));
  }

  /** Adds a listener of a topic; returns the function that removes it. */
  listen(topic: EventTopic, listener: Listener): () => void {
    let entry = this.topics.get(topic.path);
    if (!entry) {
      entry = { topic, listeners: new Set() };
      this.topics.set(topic.path, entry);
    }
    const listeners = entry.listeners;
    listeners.add(listener);
    if (listeners.size === 1) this.scheduleSync();
    return () => {
      if (listeners.delete(listener) && listeners.size === 0) this.scheduleSync();
    };
  }

  /** Resolves once the server has acknowledged every topic with a listener (and dropped the others). */
  async ready(): Promise<void> {
    while (this.syncing) await this.syncing;
    if (this.syncError !== undefined) throw this.syncError;
  }

  async join(room: string, options: CallOptions | undefined): Promise<void> {
    // Subscribe before Join, so a push the server sends from its 'join' event reaches this connection.
    await this.subscribed();
    await this.control.join({ room }, options);
    // Kept for re-joining on reconnect, without the one-shot parts of the options.
    this.rooms.set(room, options && { metadata: options.metadata, waitForReady: options.waitForReady });
  }

  async leave(room: string, options: CallOptions | undefined): Promise<void> {
    this.rooms.delete(room);
    await this.control.leave({ room }, options);
  }

  private attach(mux: Multiplexer): void {
    mux.onPush((_flags, streamId, payload) => this.onPush(streamId, payload));
    this.generation++;
    this.acked = new Set();
    if (this.topics.size > 0) this.scheduleSync();
    if (this.rooms.size > 0) void this.rejoin();
  }

  /** Joins the rooms again on a new connection, once its subscriptions are in (as join does). */
  private async rejoin(): Promise<void> {
    await this.subscribed();
    for (const [room, options] of this.rooms) {
      this.control.join({ room }, options).catch((error: Error) => {
        this.rooms.delete(room);
        process.emitWarning(`framerpc: could not re-join room ${JSON.stringify(room)} after reconnecting: ${error.message}`);
      });
    }
  }

  /**
   * Resolves once the Subscribe and Unsubscribe calls for every listener attached so far (also later in
   * this tick) have been answered, whatever the answer: ready() reports refusals.
   */
  private async subscribed(): Promise<void> {
    await Promise.resolve(); // listeners attached after joinRoom in the same tick count too
    while (this.syncing) await this.syncing;
  }

  private onPush(streamId: number, payload: Buffer): void {
    // A malformed frame throws a FrameError, which closes the connection with PROTOCOL_ERROR.
    const { topic, message } = decodePushPayload(streamId, payload);
    const entry = this.topics.get(topic);
    if (!entry || entry.listeners.size === 0) {
      this.ignored++;
      return;
    }
    let decoded: unknown;
    try {
      decoded = entry.topic.codec.decode(message);
    } catch (error) {
      process.emitWarning(`framerpc: push on ${topic} does not decode: ${(error as Error).message}`);
      return;
    }
    for (const listener of entry.listeners) {
      try {
        listener(decoded);
      } catch (error) {
        process.emitWarning(`framerpc: push listener of ${topic} threw: ${(error as Error)?.stack ?? String(error)}`);
      }
    }
  }

  private scheduleSync(): void {
    this.dirty = true;
    this.syncing ??= this.sync().finally(() => {
      this.syncing = undefined;
    });
  }

  private async sync(): Promise<void> {
    await Promise.resolve(); // let the rest of this tick's changes join the same calls
    while (this.dirty) {
      this.dirty = false;
      const generation = this.generation;
      const wanted: string[] = [];
      for (const [path, entry] of this.topics) {
        if (entry.listeners.size > 0) wanted.push(path);
        else this.topics.delete(path);
      }
      const add = wanted.filter((path) => !this.acked.has(path));
      const remove = [...this.acked].filter((path) => !this.topics.has(path));
      try {
        if (add.length > 0) {
          await this.control.subscribe({ topics: add });
          if (generation === this.generation) for (const path of add) this.acked.add(path);
        }
        if (remove.length > 0) {
          await this.control.unsubscribe({ topics: remove });
          if (generation === this.generation) for (const path of remove) this.acked.delete(path);
        }
        this.syncError = undefined;
      } catch (error) {
        // Reported by ready(); the next change or connection tries again.
        this.syncError = error;
      }
    }
  }
}
