// Options of a PushHub and of its per-room / per-topic policies, with their documented defaults.
import { randomBytes } from 'node:crypto';
import type { CallContext } from '../service/call-context';
import type { ConnectionDirectory } from './connection-directory';
import { isValidNodeId, type PushBus } from './push-bus';
import { PushError, PushErrorCode } from './push-error';

/** What a hub does with a push for a recipient that has fallen behind: skip it, or close the connection. */
export type SlowConsumerPolicy = 'drop' | 'disconnect';

/** How far a recipient may fall behind, and what happens past that. Set per hub, per room and per topic. */
export interface PushPolicy {
  /**
   * A push is not queued for a connection whose unsent outbound bytes (RPC replies included), plus the
   * push frame, would exceed this. Keep it well under the transport's `maxOutboundBytes` so RPC replies
   * still fit after pushes stopped. Default 1 MiB.
   */
  maxPushBacklogBytes: number;
  /** 'drop' (default): skip the push for that connection and count it; 'disconnect': close it with OUTBOUND_OVERFLOW. */
  slowConsumer: SlowConsumerPolicy;
}

/** Options of a PushHub. */
export interface PushHubOptions extends PushPolicy {
  /** Policies of particular rooms (for `toRoom` pushes), field by field over the topic's and the hub's. */
  rooms: Record<string, Partial<PushPolicy>>;
  /** Policies of particular topics, by topic path ("/chat.v1.ChatEvents/MessagePosted"), over the hub's. */
  topics: Record<string, Partial<PushPolicy>>;
  /**
   * Hold pushes up to this long and flush every connection they went to at once, so a busy hub makes
   * one socket write per connection per delay rather than per event-loop pass (like Nagle or Kafka's
   * linger.ms: a little latency for far fewer system calls). 0 flushes at the end of each pass. Default 2.
   */
  flushDelayMs: number;
  /**
   * Under load the hub holds pushes longer than `flushDelayMs`, up to this: while pushes keep coming, the
   * next flush waits (connections the last flush wrote to) / `flushWritesPerMs` ms, so several broadcasts
   * leave in one write per connection and writes per second stop growing with the fan-out. A quiet hub
   * (no flush within this long) holds a push only `flushDelayMs`. Never below `flushDelayMs`; equal to it,
   * the linger is fixed. Default 20: with the default flushWritesPerMs, a round that wrote to 1000
   * connections is followed by a 10 ms linger, 2000 or more by 20 ms (each socket write is most of a
   * broadcast's cost once its frames are shared, see shared-batch.ts).
   */
  maxFlushDelayMs: number;
  /** The socket writes per millisecond, over all connections, above which the hub lingers longer (see maxFlushDelayMs). Default 100. */
  flushWritesPerMs: number;
  /** Topics one connection may subscribe to through PushControl. Default 256. */
  maxTopicsPerConnection: number;
  /** Rooms one connection may join through PushControl (hub.join by the server is not limited). Default 256. */
  maxRoomsPerConnection: number;
  /**
   * Decides whether a client may join a room through PushControl.Join (after the server interceptors ran).
   * Return false (PERMISSION_DENIED) or throw an RpcError. Default: every room may be joined.
   */
  authorizeJoin: ((room: string, context: CallContext) => boolean | Promise<boolean>) | undefined;
  /**
   * This node's name on the bus, the prefix of its global connection ids ("nodeId:connectionId"): 1 to 64
   * of A-Z a-z 0-9 _ . -, unique among the nodes of a bus. Default: 12 random hex digits per hub.
   */
  nodeId: string;
  /**
   * Carries pushes to and from the hubs of other processes (RedisPushBus), or of this one (a shared
   * InProcessPushBus). Default: a new InProcessPushBus of this hub alone (no other nodes).
   */
  bus: PushBus | undefined;
  /** The connections the hub pushes to. Default: the server's own (serverDirectory(server)). */
  directory: ConnectionDirectory | undefined;
}

/** Fresh defaults (a function, so callers can never mutate shared state). */
export function defaultPushHubOptions(): PushHubOptions {
  return {
    maxPushBacklogBytes: 1024 * 1024,
    slowConsumer: 'drop',
    rooms: {},
    topics: {},
    flushDelayMs: 2,
    maxFlushDelayMs: 20,
    flushWritesPerMs: 100,
    maxTopicsPerConnection: 256,
    maxRoomsPerConnection: 256,
    authorizeJoin: undefined,
    nodeId: randomBytes(6).toString('hex'),
    bus: undefined,
    directory: undefined,
  };
}

/**
 * Merges user options over the defaults and validates them against the transport's `maxOutboundBytes`
 * (a backlog limit at or above it would let pushes close connections through the transport's own bound).
 */
export function resolvePushHubOptions(partial: Partial<PushHubOptions>, maxOutboundBytes: number): PushHubOptions {
  const options = defaultPushHubOptions();
  for (const [key, value] of Object.entries(partial)) {
    if (value !== undefined) (options as unknown as Record<string, unknown>)[key] = value;
  }
  checkPolicy(options, 'push option', maxOutboundBytes);
  for (const [room, policy] of Object.entries(options.rooms)) checkPolicy(policy, `push option rooms[${JSON.stringify(room)}]`, maxOutboundBytes);
  for (const [topic, policy] of Object.entries(options.topics)) checkPolicy(policy, `push option topics[${JSON.stringify(topic)}]`, maxOutboundBytes);
  if (!Number.isFinite(options.flushDelayMs) || options.flushDelayMs < 0 || options.flushDelayMs > 1000) {
    throw new PushError(PushErrorCode.BAD_OPTION, `push option flushDelayMs must be a number of ms from 0 to 1000, got ${String(options.flushDelayMs)}`);
  }
  if (!Number.isFinite(options.maxFlushDelayMs) || options.maxFlushDelayMs < 0 || options.maxFlushDelayMs > 1000) {
    throw new PushError(PushErrorCode.BAD_OPTION, `push option maxFlushDelayMs must be a number of ms from 0 to 1000, got ${String(options.maxFlushDelayMs)}`);
  }
  if (!Number.isFinite(options.flushWritesPerMs) || options.flushWritesPerMs <= 0) {
    throw new PushError(PushErrorCode.BAD_OPTION, `push option flushWritesPerMs must be a positive number, got ${String(options.flushWritesPerMs)}`);
  }
  for (const key of ['maxTopicsPerConnection', 'maxRoomsPerConnection'] as const) {
    const value = options[key];
    if (!Number.isInteger(value) || value < 0) throw new PushError(PushErrorCode.BAD_OPTION, `push option ${key} must be a non-negative integer, got ${String(value)}`);
  }
  if (options.authorizeJoin !== undefined && typeof options.authorizeJoin !== 'function') {
    throw new PushError(PushErrorCode.BAD_OPTION, 'push option authorizeJoin must be a function (room, context) => boolean');
  }
  if (!isValidNodeId(options.nodeId)) {
    throw new PushError(PushErrorCode.BAD_OPTION, `push option nodeId must be 1 to 64 of A-Z a-z 0-9 _ . -, got ${JSON.stringify(String(options.nodeId).slice(0, 80))}`);
  }
  return options;
}

/** Validates the fields of a (partial) policy; `where` names it in the error. */
export function checkPolicy(policy: Partial<PushPolicy>, where: string, maxOutboundBytes: number): void {
  const max = policy.maxPushBacklogBytes;
  if (max !== undefined && (!Number.isInteger(max) || max <= 0 || max >= maxOutboundBytes)) {
    throw new PushError(
      PushErrorCode.BAD_OPTION,
      `${where} maxPushBacklogBytes must be a positive integer below the transport's maxOutboundBytes (${maxOutboundBytes}), got ${String(max)}; lower it or raise maxOutboundBytes`,
    );
  }
  const slow = policy.slowConsumer;
  if (slow !== undefined && slow !== 'drop' && slow !== 'disconnect') {
    throw new PushError(PushErrorCode.BAD_OPTION, `${where} slowConsumer must be 'drop' or 'disconnect', got ${JSON.stringify(slow)}`);
  }
}
