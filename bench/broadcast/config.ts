// The broadcast section's plan, from the environment: client counts, durations, servers, safety bounds.
import { seconds } from '../config';

/** The servers of the broadcast section, in table order. */
export const BROADCAST_SERVERS = ['framerpc', 'socket.io', 'naive net'] as const;
/** 'framerpc ws': the framerpc server over WebSocket, run by the websocket section (bench/websocket/). */
export type BroadcastServerName = (typeof BROADCAST_SERVERS)[number] | 'framerpc ws';

/** What one run of the broadcast section does. */
export interface BroadcastPlan {
  /** M values: each is one cell per server (M clients, each sending 1 message/s, each message to all M). */
  readonly clientCounts: readonly number[];
  readonly servers: readonly BroadcastServerName[];
  readonly warmupMs: number;
  readonly measureMs: number;
  /** framerpc clients that use the real typed client (subscribePush, createClient); the rest are raw. */
  readonly typedClients: number;
  /** A server child whose RSS passes this is stopped and its cell reported as aborted (shared machine). */
  readonly maxServerRssBytes: number;
  /** Opening all M connections must finish within this, or the cell runs with those that opened. */
  readonly connectTimeoutMs: number;
}

function integer(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new TypeError(`${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(raw)}`);
  return value;
}

function clientCounts(): number[] {
  const raw = process.env.BROADCAST_CLIENTS || '100,1000,3000';
  const counts = raw.split(',').map((part) => Number(part.trim()));
  // Each process holds one fd per connection; 15000 leaves room under `ulimit -n` 20000.
  if (counts.length === 0 || counts.some((n) => !Number.isInteger(n) || n < 2 || n > 15_000)) {
    throw new TypeError(`BROADCAST_CLIENTS must be a comma-separated list of integers in [2, 15000], got ${JSON.stringify(raw)}`);
  }
  return counts;
}

function servers(): BroadcastServerName[] {
  const raw = process.env.BROADCAST_SERVERS;
  if (!raw) return [...BROADCAST_SERVERS];
  const names = raw.split(',').map((part) => part.trim());
  const unknown = names.filter((name) => !(BROADCAST_SERVERS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new TypeError(`BROADCAST_SERVERS: unknown ${unknown.join(', ')}; choose from ${BROADCAST_SERVERS.join(', ')}`);
  return names as BroadcastServerName[];
}

/**
 * BROADCAST_CLIENTS ("100,1000,3000"), BROADCAST_SECONDS (20) of measurement after BROADCAST_WARMUP_SECONDS (3),
 * BROADCAST_SERVERS (all), BROADCAST_TYPED_CLIENTS (10), BROADCAST_MAX_SERVER_RSS_MB (4096).
 */
export function broadcastPlan(): BroadcastPlan {
  return {
    clientCounts: clientCounts(),
    servers: servers(),
    warmupMs: seconds('BROADCAST_WARMUP_SECONDS', 3) * 1000,
    measureMs: seconds('BROADCAST_SECONDS', 20) * 1000,
    typedClients: integer('BROADCAST_TYPED_CLIENTS', 10, 0, 1000),
    maxServerRssBytes: integer('BROADCAST_MAX_SERVER_RSS_MB', 4096, 64, 16_384) * 1024 * 1024,
    connectTimeoutMs: 90_000,
  };
}
