// Client child of a broadcast cell: opens M connections of one kind in batches, sends on the schedule,
// measures after the warm-up, reports over IPC, and closes everything when told (or when the parent goes).
import { numberArg, stringArg } from '../child/args';
import { DeliveryStats, type BroadcastClient, type OpenClient } from './delivery-stats';
import { openRawFramerpcClient } from './framerpc-raw-client';
import { openTypedFramerpcClient } from './framerpc-typed-client';
import type { ClientChildMessage, ClientParentMessage } from './messages';
import { openNetClient } from './net-client';
import { SendSchedule } from './send-schedule';
import { openWebSocketFramerpcClient } from '../websocket/framerpc-ws-client';
import { openSocketIoClient } from './socketio-client';

const OPENERS: Record<string, OpenClient> = { framerpc: openRawFramerpcClient, 'socket.io': openSocketIoClient, 'naive net': openNetClient, 'framerpc ws': openWebSocketFramerpcClient };

const send = (message: ClientChildMessage): void => {
  process.send?.(message);
};
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Opened {
  readonly clients: BroadcastClient[];
  failed: number;
  firstError?: string;
}

/**
 * Opens `count` clients, `batch` at a time (the server's listen backlog stays small), until `deadlineMs`;
 * client i connects to `ports[i % ports.length]` (several server processes: the cluster section).
 */
async function openAll(
  kind: string,
  ports: readonly number[],
  count: number,
  typedCount: number,
  batch: number,
  deadlineMs: number,
  stats: DeliveryStats,
  typed: DeliveryStats,
  counters: { closed: number; postErrors: number },
): Promise<Opened> {
  const openRaw = OPENERS[kind];
  if (!openRaw) throw new Error(`unknown client kind ${kind}`);
  const onClosed = (): void => {
    counters.closed++;
  };
  const onPostError = (): void => {
    counters.postErrors++;
  };
  // The typed framerpc clients are spread over the schedule (every count/typedCount-th index).
  const stride = typedCount > 0 ? Math.floor(count / typedCount) : Infinity;
  const isTyped = (i: number): boolean => kind === 'framerpc' && i % stride === 0 && i / stride < typedCount;
  const opened: Opened = { clients: [], failed: 0 };
  for (let at = 0; at < count && Date.now() < deadlineMs; at += batch) {
    const indices = Array.from({ length: Math.min(batch, count - at) }, (_, j) => at + j);
    const outcomes = await Promise.allSettled(
      indices.map((i) => (isTyped(i) ? openTypedFramerpcClient(ports[i % ports.length], stats, typed, onPostError) : openRaw(ports[i % ports.length], stats, onClosed))),
    );
    for (const outcome of outcomes) {
      if (outcome.status === 'fulfilled') opened.clients.push(outcome.value);
      else {
        opened.failed++;
        opened.firstError ??= (outcome.reason as Error).message;
      }
    }
  }
  opened.failed += count - opened.clients.length - opened.failed;
  return opened;
}

async function main(): Promise<void> {
  const kind = stringArg('kind') ?? '';
  const count = numberArg('clients', 100);
  const typedCount = numberArg('typed', 0);
  const warmupMs = numberArg('warmupMs', 3000);
  const measureMs = numberArg('measureMs', 20_000);
  const stats = new DeliveryStats();
  const typed = new DeliveryStats();
  const counters = { closed: 0, postErrors: 0 };
  const started = Date.now();
  const ports = (stringArg('ports') ?? String(numberArg('port', 0))).split(',').map(Number);
  const opened = await openAll(kind, ports, count, typedCount, numberArg('batch', 200), started + numberArg('connectTimeoutMs', 60_000), stats, typed, counters);
  const closeAll = (): void => {
    for (const client of opened.clients) client.close();
    process.exit(0);
  };
  process.once('message', (_message: ClientParentMessage) => closeAll());
  process.once('disconnect', closeAll);
  send({ type: 'connected', connected: opened.clients.length, failed: opened.failed, firstError: opened.firstError, seconds: (Date.now() - started) / 1000 });
  if (opened.clients.length === 0) return;

  const schedule = new SendSchedule(opened.clients);
  schedule.start();
  await sleep(warmupMs);
  stats.reset();
  typed.reset();
  const closedBefore = counters.closed;
  const sentBefore = schedule.sent;
  const skippedBefore = schedule.skipped;
  const cpuBefore = process.cpuUsage();
  const measureStart = performance.now();
  send({ type: 'measuring' });
  await sleep(measureMs);
  const cpu = process.cpuUsage(cpuBefore);
  const measuredMs = performance.now() - measureStart;
  const typedClients = kind === 'framerpc' ? Math.min(typedCount, opened.clients.length) : 0;
  send({
    type: 'result',
    measuredMs,
    sent: schedule.sent - sentBefore,
    sendsSkipped: schedule.skipped - skippedBefore,
    delivered: stats.delivered,
    p50Ms: stats.latency.percentile(0.5),
    p99Ms: stats.latency.percentile(0.99),
    maxMs: stats.latency.percentile(1),
    cpuMicros: cpu.user + cpu.system,
    closed: counters.closed - closedBefore,
    malformed: stats.malformed,
    typed:
      typedClients > 0
        ? { clients: typedClients, delivered: typed.delivered, p50Ms: typed.latency.percentile(0.5), p99Ms: typed.latency.percentile(0.99), postErrors: counters.postErrors }
        : undefined,
  });
  schedule.stop();
}

main().catch((error: Error) => {
  send({ type: 'failed', reason: error.stack ?? String(error) });
  process.exit(1);
});
