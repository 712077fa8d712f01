// What the Redis bus uses of its two ioredis connections, as structural types: framerpc never imports ioredis.

/** Connection events the bus follows on both connections. */
export type RedisConnectionEvent = 'ready' | 'close';

/**
 * The publishing connection: an ioredis `Redis` (or `Cluster`), shared with the application if it likes.
 * `status` is ioredis's ('ready' once connected and usable).
 */
export interface RedisPublisher {
  readonly status: string;
  publish(channel: string, message: Buffer): Promise<unknown>;
  /** Sharded pub/sub (Redis 7), used with RedisPushBusOptions.sharded. */
  spublish(channel: string, message: Buffer): Promise<unknown>;
  on(event: RedisConnectionEvent, listener: () => void): unknown;
  off(event: RedisConnectionEvent, listener: () => void): unknown;
}

/** A listener of ioredis's 'messageBuffer' / 'smessageBuffer' events. */
export type RedisMessageListener = (channel: Buffer, message: Buffer) => void;

/**
 * The subscribing connection: a dedicated ioredis `Redis` (or `Cluster` with `shardedSubscribers: true`
 * for sharded pub/sub), in subscriber mode for the bus alone. ioredis reconnects it by itself; the bus
 * subscribes again on every 'ready'.
 */
export interface RedisSubscriber {
  readonly status: string;
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  ssubscribe(...channels: string[]): Promise<unknown>;
  sunsubscribe(...channels: string[]): Promise<unknown>;
  on(event: RedisConnectionEvent, listener: () => void): unknown;
  on(event: 'messageBuffer' | 'smessageBuffer', listener: RedisMessageListener): unknown;
  off(event: RedisConnectionEvent, listener: () => void): unknown;
  off(event: 'messageBuffer' | 'smessageBuffer', listener: RedisMessageListener): unknown;
}
