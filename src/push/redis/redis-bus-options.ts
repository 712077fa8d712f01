// Options of a RedisPushBus, with their documented defaults, and the one step that validates them.
import { PushError, PushErrorCode } from '../push-error';
import type { RedisPublisher, RedisSubscriber } from './redis-clients';

/** Options of a RedisPushBus. */
export interface RedisPushBusOptions {
  /** The connection pushes are published on (an ioredis Redis or Cluster; may be shared with the application). Required. */
  publisher: RedisPublisher;
  /** A dedicated connection for the bus's subscriptions (ioredis puts it in subscriber mode). Required. */
  subscriber: RedisSubscriber;
  /**
   * Prefix of the bus's channels: `<prefix>:all` carries room and broadcast pushes, `<prefix>:node:<nodeId>`
   * pushes to one connection of that node. Services sharing a Redis need distinct prefixes. Default 'framerpc:push'.
   */
  channelPrefix: string;
  /**
   * Use sharded pub/sub (SPUBLISH / SSUBSCRIBE, Redis 7): with Redis Cluster each channel lives on the shard
   * of its slot instead of being copied to every shard. Give ioredis Cluster clients, the subscriber with
   * `shardedSubscribers: true`. Also works on a single Redis 7. Default false.
   */
  sharded: boolean;
  /**
   * Give each room a channel of its own (`<prefix>:room:<room>`), subscribed on a node while it has
   * members in the room, so a room push reaches only the nodes with members (with sharded pub/sub, only
   * the shard of that channel's slot). Costs a SUBSCRIBE when a room gains its first member on a node and
   * an UNSUBSCRIBE when it loses its last; a push published before the SUBSCRIBE took effect is missed
   * there. Every node of a service must use the same setting. Default false (room pushes on `<prefix>:all`).
   */
  roomChannels: boolean;
  /**
   * A cross-node message (envelope and encoded push) larger than this is not published, and counted in
   * `stats.droppedTooLarge`: Redis copies every message into each subscriber's output buffer, and a few
   * huge ones would get the subscribers disconnected for the pubsub buffer limit. Default 256 KiB.
   */
  maxMessageBytes: number;
  /**
   * Publishes sent to Redis and not yet answered. Past this (Redis slow or the link congested), pushes
   * are dropped for the other nodes and counted in `stats.droppedQueueFull`, never queued. Default 4096.
   */
  maxPendingPublishes: number;
  /** Bytes of publishes sent and not yet answered; past this, as maxPendingPublishes. Default 16 MiB. */
  maxPendingBytes: number;
}

/** Fresh defaults of the optional fields. */
export function defaultRedisPushBusOptions(): Omit<RedisPushBusOptions, 'publisher' | 'subscriber'> {
  return { channelPrefix: 'framerpc:push', sharded: false, roomChannels: false, maxMessageBytes: 256 * 1024, maxPendingPublishes: 4096, maxPendingBytes: 16 * 1024 * 1024 };
}

/** Merges `partial` over the defaults and validates every field, naming the bad one. */
export function resolveRedisPushBusOptions(partial: Partial<RedisPushBusOptions> & Pick<RedisPushBusOptions, 'publisher' | 'subscriber'>): RedisPushBusOptions {
  const options: RedisPushBusOptions = { ...defaultRedisPushBusOptions(), publisher: partial.publisher, subscriber: partial.subscriber };
  for (const [key, value] of Object.entries(partial)) {
    if (value !== undefined) (options as unknown as Record<string, unknown>)[key] = value;
  }
  const bad = (message: string): never => {
    throw new PushError(PushErrorCode.BAD_OPTION, `RedisPushBus option ${message}`);
  };
  if (!options.publisher || typeof options.publisher.publish !== 'function') bad('publisher must be an ioredis client (new Redis(url))');
  if (!options.subscriber || typeof options.subscriber.subscribe !== 'function') bad('subscriber must be an ioredis client of its own (publisher.duplicate())');
  if ((options.publisher as unknown) === options.subscriber) bad('subscriber must be a connection of its own, not the publisher: a subscribed connection cannot publish (use publisher.duplicate())');
  if (typeof options.channelPrefix !== 'string' || !/^[\x21-\x7e]{1,100}$/.test(options.channelPrefix))
    bad(`channelPrefix must be 1 to 100 printable ASCII characters, got ${JSON.stringify(options.channelPrefix)}`);
  for (const key of ['sharded', 'roomChannels'] as const) {
    if (typeof options[key] !== 'boolean') bad(`${key} must be true or false, got ${JSON.stringify(options[key])}`);
  }
  for (const key of ['maxMessageBytes', 'maxPendingPublishes', 'maxPendingBytes'] as const) {
    const value = options[key];
    if (!Number.isInteger(value) || value < 1) bad(`${key} must be a positive integer, got ${String(value)}`);
  }
  return options;
}
