// The `cluster` section: Miku's broadcast test over N server processes joined by one Redis: framerpc
// (PushHub + RedisPushBus) and socket.io (@socket.io/redis-adapter), M clients spread over the nodes.
import * as os from 'node:os';
import { formatBytes, formatLatency, formatRate } from '../report/units';
import type { Table } from '../report/table';
import { runClusterCell, type ClusterCell } from './cluster-cell';
import type { ClusterPlan } from './config';
import { BenchRedis } from './redis-server';

/** Issue targets for framerpc, checked under the table. */
const TARGETS = { delivered: 0.99, p99Ms: 100, timesSocketIo: 5 };

/** One cell per server kind, one at a time (they would compete for the cores), each with the same Redis. */
export async function runClusterSection(plan: ClusterPlan, log: (line: string) => void): Promise<{ tables: Table[]; cells: ClusterCell[] }> {
  const redis = await BenchRedis.start();
  const cells: ClusterCell[] = [];
  const loadBefore = loadAverage();
  try {
    log(`  cluster: M = ${plan.clients} over ${plan.nodes} nodes, Redis on 127.0.0.1:${redis.port}; ${plan.warmupMs / 1000} s warm-up + ${plan.measureMs / 1000} s measured per cell`);
    for (const server of ['framerpc', 'socket.io'] as const) {
      const cell = await runClusterCell(server, plan, redis, log);
      cells.push(cell);
      log(`  cluster ${server}: ${cell.result ? `${formatRate(deliveredPerSecond(cell))} delivered/s, p99 ${formatLatency(cell.result.p99Ms)}` : `error: ${cell.error}`}`);
    }
    const memory = await redis.memoryAndClosures();
    return { tables: [clusterTable(cells, plan, memory, `${loadBefore} before, ${loadAverage()} after`)], cells };
  } finally {
    await redis.stop();
  }
}

/** The 1, 5 and 15 minute load averages: on a shared 2-core machine, a high one explains a bad row. */
function loadAverage(): string {
  return os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
}

function deliveredPerSecond(cell: ClusterCell): number {
  return cell.result ? cell.result.delivered / (cell.result.measuredMs / 1000) : NaN;
}

function percent(ratio: number): string {
  return Number.isFinite(ratio) ? `${(ratio * 100).toFixed(ratio < 0.1 ? 2 : 1)}%` : '-';
}

function cpu(micros: number, ms: number): string {
  return percent(micros / (ms * 1000));
}

function row(cell: ClusterCell): string[] {
  const r = cell.result;
  if (!r) return [cell.server, String(cell.nodes), String(cell.clients), String(cell.connected), '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', '-', `error: ${cell.error}`];
  const seconds = r.measuredMs / 1000;
  const expected = cell.connected * cell.connected;
  const notes = [
    r.closed > 0 ? `${r.closed} closed` : '',
    r.sendsSkipped > 0 ? `${r.sendsSkipped} sends skipped` : '',
    r.cpuMicros / (r.measuredMs * 1000) >= 0.9 ? 'client saturated' : '',
    cell.error ?? '',
  ].filter(Boolean);
  return [
    cell.server,
    String(cell.nodes),
    String(cell.clients),
    String(cell.connected),
    formatRate(r.sent / seconds),
    formatRate(deliveredPerSecond(cell)),
    formatRate(expected),
    percent(deliveredPerSecond(cell) / expected),
    formatLatency(r.p50Ms),
    formatLatency(r.p99Ms),
    cell.nodePeakRss.map(formatBytes).join(' / '),
    cell.nodeCpuMicros.map((micros) => cpu(micros, cell.windowMs)).join(' / '),
    cpu(cell.redisCpuMicros, cell.windowMs),
    cell.dropped === undefined ? 'n/a' : formatRate(cell.dropped / seconds),
    cpu(r.cpuMicros, r.measuredMs),
    notes.join('; '),
  ];
}

function clusterTable(cells: readonly ClusterCell[], plan: ClusterPlan, memory: { usedMemoryPeak: number; bufferLimitClosures: number | undefined }, load: string): Table {
  return {
    title: `Cluster broadcast: M clients over ${plan.nodes} server processes joined by one Redis, each client sends 1 msg/s (${plan.warmupMs / 1000} s warm-up, ${plan.measureMs / 1000} s measured), each message to all M`,
    columns: ['server', 'nodes', 'M', 'connected', 'sent/s', 'delivered/s', 'expected/s', 'delivered', 'p50', 'p99', 'node peak RSS', 'node CPU', 'Redis CPU', 'dropped/s', 'client CPU', 'note'],
    rows: cells.map(row),
    notes: [
      'expected/s = connected^2 (every message to every client on every node, the sender included). CPU in % of one core over the measurement; node columns list each process.',
      'framerpc: PushHub + RedisPushBus (pub/sub, defaults), one PUBLISH per message; dropped/s = hub drops (slow consumers) + bus drops (queue full, cut off, too large). socket.io: @socket.io/redis-adapter, io.emit per message (n/a: no drop counter).',
      `load average ${load} (${os.cpus().length} CPUs; sends skipped = the client process fell over a second behind its schedule).`,
      `Redis: peak memory ${formatBytes(memory.usedMemoryPeak)}${memory.bufferLimitClosures === undefined ? '' : `, ${memory.bufferLimitClosures} subscribers closed for the output-buffer limit`}.`,
      ...targetNotes(cells),
    ],
  };
}

function targetNotes(cells: readonly ClusterCell[]): string[] {
  const framerpc = cells.find((cell) => cell.server === 'framerpc');
  const socketIo = cells.find((cell) => cell.server === 'socket.io');
  if (!framerpc?.result) return [`target: framerpc cluster broadcast: NOT met (${framerpc?.error ?? 'not run'})`];
  const delivered = deliveredPerSecond(framerpc) / (framerpc.connected * framerpc.connected);
  const p99 = framerpc.result.p99Ms;
  const ratio = deliveredPerSecond(framerpc) / deliveredPerSecond(socketIo ?? framerpc);
  const notes = [
    `target: framerpc M=${framerpc.clients} over ${framerpc.nodes} nodes delivered >= ${TARGETS.delivered * 100}%: ${percent(delivered)} -> ${delivered >= TARGETS.delivered ? 'met' : 'NOT met'}`,
    `target: framerpc M=${framerpc.clients} over ${framerpc.nodes} nodes p99 < ${TARGETS.p99Ms} ms: ${formatLatency(p99)} -> ${p99 < TARGETS.p99Ms ? 'met' : 'NOT met'}`,
  ];
  if (socketIo?.result)
    notes.push(`target: framerpc delivered/s >= ${TARGETS.timesSocketIo}x socket.io's (redis-adapter): ${ratio.toFixed(1)}x -> ${ratio >= TARGETS.timesSocketIo ? 'met' : 'NOT met'}`);
  else notes.push(`target: framerpc delivered/s >= ${TARGETS.timesSocketIo}x socket.io's: NOT met (socket.io cell failed: ${socketIo?.error ?? 'not run'})`);
  return notes;
}
