// One cluster cell: N server processes of one kind joined by the bench's Redis, and one client child whose
// M connections are spread over them. Per-node RSS and CPU from /proc, Redis CPU from INFO, drops over IPC.
import { fork } from 'node:child_process';
import { benchModule } from '../paths';
import { nextMessage, stopClient } from '../broadcast/cell';
import type { ClientResult } from '../broadcast/messages';
import { BroadcastServerProcess } from '../broadcast/server-process';
import type { ClusterPlan } from './config';
import type { BenchRedis } from './redis-server';

export type ClusterServerName = 'framerpc' | 'socket.io';

const NODE_MODULES: Record<ClusterServerName, string> = { framerpc: 'cluster/framerpc-node', 'socket.io': 'cluster/socketio-node' };
const CONNECT_BATCH: Record<ClusterServerName, number> = { framerpc: 200, 'socket.io': 100 };
const SAMPLE_INTERVAL_MS = 500;
const SAMPLE_REPLY_TIMEOUT_MS = 20_000;
const RESULT_GRACE_MS = 30_000;

/** What one cell measured; `error` set when it did not complete. */
export interface ClusterCell {
  readonly server: ClusterServerName;
  readonly nodes: number;
  readonly clients: number;
  readonly connected: number;
  readonly result?: ClientResult;
  /** Per node: peak RSS (bytes) over the run, and CPU (µs) over the measurement. */
  readonly nodePeakRss: number[];
  readonly nodeCpuMicros: number[];
  /** Wall time of the measurement window (ms), the denominator of the CPU shares. */
  readonly windowMs: number;
  readonly redisCpuMicros: number;
  /** Drops over the window, summed over nodes (framerpc: hub and bus); undefined when the server has none. */
  readonly dropped?: number;
  readonly error?: string;
}

/** Runs one cell; never throws: failures become `error`. */
export async function runClusterCell(server: ClusterServerName, plan: ClusterPlan, redis: BenchRedis, log: (line: string) => void): Promise<ClusterCell> {
  const prefix = `bench-${server}-${Date.now()}`;
  const nodes: BroadcastServerProcess[] = [];
  const cell = { server, nodes: plan.nodes, clients: plan.clients, connected: 0, nodePeakRss: [] as number[], nodeCpuMicros: [] as number[], windowMs: NaN, redisCpuMicros: NaN };
  try {
    for (let i = 0; i < plan.nodes; i++) {
      nodes.push(await BroadcastServerProcess.start(`${server} node ${i}`, NODE_MODULES[server], [], [`redisPort=${redis.port}`, `prefix=${prefix}`, `nodeId=node-${i}`]));
    }
  } catch (error) {
    await Promise.all(nodes.map((node) => node.stop()));
    return { ...cell, error: (error as Error).message };
  }
  const peakRss = nodes.map(() => 0);
  const sampler = setInterval(() => {
    nodes.forEach((node, i) => (peakRss[i] = Math.max(peakRss[i], node.procStats()?.rss ?? 0)));
  }, SAMPLE_INTERVAL_MS);
  const client = fork(
    benchModule('broadcast/client-child'),
    [
      `kind=${server}`,
      `ports=${nodes.map((node) => node.port).join(',')}`,
      `clients=${plan.clients}`,
      'typed=0',
      `warmupMs=${plan.warmupMs}`,
      `measureMs=${plan.measureMs}`,
      `batch=${CONNECT_BATCH[server]}`,
      `connectTimeoutMs=${plan.connectTimeoutMs}`,
    ],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  try {
    const connected = await nextMessage(client, 'connected', plan.connectTimeoutMs + 15_000);
    log(
      `  cluster ${server}: ${connected.connected}/${plan.clients} connected over ${plan.nodes} nodes in ${connected.seconds.toFixed(1)} s${connected.firstError ? ` (first error: ${connected.firstError})` : ''}`,
    );
    if (connected.connected === 0) return { ...cell, error: `no client connected: ${connected.firstError ?? 'unknown'}` };
    const reported = nextMessage(client, 'result', plan.warmupMs + plan.measureMs + RESULT_GRACE_MS);
    reported.catch(() => {});
    await nextMessage(client, 'measuring', plan.warmupMs + RESULT_GRACE_MS);
    const started = performance.now();
    const cpuBefore = nodes.map((node) => node.procStats()?.cpuMicros ?? NaN);
    const redisBefore = redis.cpuMicros();
    const droppedBefore = Promise.all(
      nodes.map((node) =>
        node.sample(SAMPLE_REPLY_TIMEOUT_MS).then(
          (s) => s.dropped,
          () => undefined,
        ),
      ),
    );
    const result = await reported;
    const windowMs = performance.now() - started;
    const cpuAfter = nodes.map((node) => node.procStats()?.cpuMicros ?? NaN);
    const redisCpuMicros = (await redis.cpuMicros()) - (await redisBefore);
    await stopClient(client);
    const droppedAfter = await Promise.all(
      nodes.map((node) =>
        node.sample(SAMPLE_REPLY_TIMEOUT_MS).then(
          (s) => s.dropped,
          () => undefined,
        ),
      ),
    );
    const before = await droppedBefore;
    const dropped = server === 'framerpc' ? droppedAfter.reduce<number>((sum, d, i) => sum + ((d ?? NaN) - (before[i] ?? NaN)), 0) : undefined;
    nodes.forEach((node, i) => (peakRss[i] = Math.max(peakRss[i], node.procStats()?.rss ?? 0)));
    return { ...cell, connected: connected.connected, result, nodePeakRss: peakRss, nodeCpuMicros: cpuAfter.map((after, i) => after - cpuBefore[i]), windowMs, redisCpuMicros, dropped };
  } catch (error) {
    const crashed = nodes.find((node) => node.exitReason);
    return { ...cell, nodePeakRss: peakRss, error: crashed?.exitReason ?? (error as Error).message };
  } finally {
    clearInterval(sampler);
    await stopClient(client);
    await Promise.all(nodes.map((node) => node.stop()));
  }
}
