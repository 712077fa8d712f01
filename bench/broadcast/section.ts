// The `broadcast` section: M clients each send 1 message/s, the server sends every message to all M.
// framerpc (RpcServer + PushHub), socket.io and a naive node:net server, each in a child of its own,
// driven by a client child holding the M connections (for framerpc the C client of bench/native/broadcast-client.c,
// compiled when the section starts; the Node client when there is no cc).
import * as os from 'node:os';
import * as path from 'node:path';
import { compileNative } from '../native/compile-loadgen';
import { REPO_ROOT } from '../paths';
import { formatBytes, formatLatency, formatRate } from '../report/units';
import type { Table } from '../report/table';
import { runBroadcastCell, type BroadcastCell } from './cell';
import type { BroadcastPlan } from './config';

// A client process using this share of one core or more is measuring itself as much as the server.
const SATURATED_CPU = 0.9;
const MIB = 1024 * 1024;

/** Issue targets for framerpc, checked under the table (issue 12: M=1000 all delivered, M=2000 on one server process). */
const TARGETS = { deliveredAt1000: 0.9995, p99MsAt1000: 50, rssAt1000: 300 * MIB, deliveredAt2000: 0.99, p99MsAt2000: 100, rssAt2000: 400 * MIB, rssAt3000: 1024 * MIB };

/** The C broadcast client that plays framerpc's M clients (socket.io and the naive server keep their Node clients). */
const NATIVE_CLIENT_SOURCE = path.join(REPO_ROOT, 'bench/native/broadcast-client.c');

/** Runs every server at every M of the plan, one cell at a time (they would compete for the two cores). */
export async function runBroadcastSection(plan: BroadcastPlan, log: (line: string) => void): Promise<{ tables: Table[]; cells: BroadcastCell[] }> {
  const cells: BroadcastCell[] = [];
  log(`  broadcast: M = ${plan.clientCounts.join(', ')}; ${plan.warmupMs / 1000} s warm-up + ${plan.measureMs / 1000} s per cell; load average ${loadAverage()}`);
  const native = plan.servers.includes('framerpc') ? await compileNative(NATIVE_CLIENT_SOURCE, 'native broadcast client unavailable, framerpc cells use the Node client') : undefined;
  const nativeBinary = native && 'binary' in native ? native.binary : undefined;
  if (native && 'reason' in native) log(`  broadcast: ${native.reason}`);
  try {
    for (const clients of plan.clientCounts) {
      for (const server of plan.servers) {
        const cell = await runBroadcastCell(server, clients, plan, log, nativeBinary);
        cells.push(cell);
        log(`  broadcast ${server} M=${clients}: ${summary(cell)}; load average ${loadAverage()}`);
      }
    }
  } finally {
    if (native && 'dispose' in native) native.dispose();
  }
  return { tables: [broadcastTable(cells, plan, native && 'reason' in native ? [native.reason] : [])], cells };
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
}

function summary(cell: BroadcastCell): string {
  if (!cell.result) return `error: ${cell.error}`;
  const seconds = cell.result.measuredMs / 1000;
  const expected = cell.connected * cell.connected;
  return `${formatRate(cell.result.delivered / seconds)} delivered/s of ${formatRate(expected)} (${percent(cell.result.delivered / seconds / expected)}), p99 ${formatLatency(cell.result.p99Ms)}, peak RSS ${formatBytes(cell.peakRss)}${cell.error ? `, ${cell.error}` : ''}`;
}

function percent(ratio: number): string {
  if (!Number.isFinite(ratio)) return '-';
  return `${(ratio * 100).toFixed(ratio < 0.1 ? 2 : 1)}%`;
}

function cpuShare(micros: number | undefined, ms: number): number {
  return micros === undefined ? NaN : micros / (ms * 1000);
}

function row(cell: BroadcastCell): string[] {
  const r = cell.result;
  if (!r)
    return [
      cell.server,
      cell.clientKind === 'native' ? 'C' : 'Node',
      String(cell.clients),
      String(cell.connected),
      '-',
      '-',
      '-',
      '-',
      '-',
      '-',
      '-',
      formatBytes(cell.peakRss || 0),
      '-',
      '-',
      '-',
      '-',
      '-',
      `error: ${cell.error}`,
    ];
  const seconds = r.measuredMs / 1000;
  const expected = cell.connected * cell.connected;
  const delivered = r.delivered / seconds;
  const clientCpu = cpuShare(r.cpuMicros, r.measuredMs);
  const notes = [
    clientCpu >= SATURATED_CPU ? 'client saturated' : '',
    cell.connected < cell.clients ? `${cell.clients - cell.connected} failed to connect` : '',
    r.closed > 0 ? `${r.closed} closed` : '',
    r.sendsSkipped > 0 ? `${r.sendsSkipped} sends skipped` : '',
    r.malformed > 0 ? `${r.malformed} malformed` : '',
    r.errors ? `${r.errors} wrong replies (first: ${r.firstError ?? '?'})` : '',
    cell.sampleNote ?? '',
  ].filter(Boolean);
  return [
    cell.server,
    cell.clientKind === 'native' ? 'C' : 'Node',
    String(cell.clients),
    String(cell.connected),
    formatRate(r.sent / seconds),
    formatRate(delivered),
    formatRate(expected),
    percent(delivered / expected),
    percent(r.delivered / (r.sent * cell.connected)),
    formatLatency(r.p50Ms),
    formatLatency(r.p99Ms),
    formatBytes(cell.peakRss),
    percent(cpuShare(cell.serverCpuMicros, cell.serverWindowMs ?? NaN)),
    cpuPerDelivery(cpuShare(cell.serverCpuMicros, cell.serverWindowMs ?? NaN), delivered),
    cell.serverLoopDelayMaxMs === 0 ? '< 50 ms' : formatLatency(cell.serverLoopDelayMaxMs ?? NaN),
    dropped(cell, seconds),
    percent(clientCpu),
    notes.join('; '),
  ];
}

/** Server CPU µs per delivered frame: steadier than latency on a shared machine, and what the fan-out costs. */
function cpuPerDelivery(cpuShareOfCore: number, deliveredPerSecond: number): string {
  const micros = (cpuShareOfCore * 1e6) / deliveredPerSecond;
  return Number.isFinite(micros) && deliveredPerSecond > 0 ? `${micros.toFixed(micros < 1 ? 3 : 2)} µs` : '-';
}

function dropped(cell: BroadcastCell, seconds: number): string {
  if (cell.server !== 'framerpc') return 'n/a';
  return cell.serverDropped === undefined || !Number.isFinite(cell.serverDropped) ? '?' : formatRate(cell.serverDropped / seconds);
}

function broadcastTable(cells: readonly BroadcastCell[], plan: BroadcastPlan, extraNotes: readonly string[]): Table {
  const notes = [
    `expected/s = connected^2 (every message to every client, the sender included); "of sent" = delivered / (sent x connected). CPU in % of one core over the ${plan.measureMs / 1000} s measurement; CPU/delivery: server CPU time per delivered message.`,
    'server stall: the longest event-loop stall of the server during the measurement (lateness of a 50 ms timer, logged in the server). dropped/s: framerpc hub drops (slow consumers); socket.io and the naive server have none (n/a).',
    `client saturated: the client process used >= ${SATURATED_CPU * 100}% of a core, so the row measures the client as much as the server.`,
    "client C: the native client (bench/native/broadcast-client.c, one epoll loop, the raw framerpc client's wire); Node: bench/broadcast/client-child.ts (socket.io and the naive server: the C client speaks only framerpc).",
    ...extraNotes,
    ...targetNotes(cells),
  ];
  for (const cell of cells) {
    const typed = cell.result?.typed;
    if (typed) {
      const perClient = typed.delivered / (cell.result!.measuredMs / 1000) / typed.clients;
      notes.push(
        `framerpc M=${cell.clients}: the ${typed.clients} typed clients (subscribePush) received ${formatRate(perClient)} msgs/s each (raw average ${formatRate(cell.result!.delivered / (cell.result!.measuredMs / 1000) / cell.connected)}), p50 ${formatLatency(typed.p50Ms)}, p99 ${formatLatency(typed.p99Ms)}, ${typed.postErrors} failed posts`,
      );
    }
    if (cell.error && cell.result) notes.push(`${cell.server} M=${cell.clients}: ${cell.error}`);
  }
  return {
    title: `Broadcast: M clients each send 1 msg/s (${plan.warmupMs / 1000} s warm-up, ${plan.measureMs / 1000} s measured), the server sends each to all M`,
    columns: [
      'server',
      'client',
      'M',
      'connected',
      'sent/s',
      'delivered/s',
      'expected/s',
      'delivered',
      'of sent',
      'p50',
      'p99',
      'server peak RSS',
      'server CPU',
      'CPU/delivery',
      'server stall',
      'dropped/s',
      'client CPU',
      'note',
    ],
    rows: cells.map(row),
    notes,
  };
}

function targetNotes(cells: readonly BroadcastCell[]): string[] {
  const notes: string[] = [];
  const at = (m: number): BroadcastCell | undefined => cells.find((c) => c.server === 'framerpc' && c.clients === m);
  const c1000 = at(1000);
  if (c1000) notes.push(...deliveryTargets(c1000, TARGETS.deliveredAt1000, TARGETS.p99MsAt1000, TARGETS.rssAt1000));
  const c2000 = at(2000);
  if (c2000) notes.push(...deliveryTargets(c2000, TARGETS.deliveredAt2000, TARGETS.p99MsAt2000, TARGETS.rssAt2000));
  const c3000 = at(3000);
  if (c3000) {
    const ok = c3000.result !== undefined && !c3000.error && c3000.peakRss < TARGETS.rssAt3000 && c3000.serverDropped !== undefined;
    const drops = c3000.serverDropped === undefined ? 'drops not reported (the server did not answer)' : `${formatRate(c3000.serverDropped)} drops counted`;
    notes.push(
      `target: framerpc at M=3000 RSS < ${formatBytes(TARGETS.rssAt3000)}, drops counted, no crash: ${formatBytes(c3000.peakRss)}, ${drops}${c3000.error ? `, ${c3000.error}` : ''} -> ${ok ? 'met' : 'NOT met'}`,
    );
  }
  return notes;
}

/** Delivered share of M^2 per second, p99 and peak server RSS of one framerpc cell, each against its bound. */
function deliveryTargets(cell: BroadcastCell, minDelivered: number, maxP99Ms: number, maxRss: number): string[] {
  const m = cell.clients;
  const r = cell.result;
  if (!r) return [`target: framerpc at M=${m}: NOT met (${cell.error})`];
  const delivered = r.delivered / (r.measuredMs / 1000) / (m * m);
  const wanted = minDelivered >= 0.9995 ? '100% (>= 99.95%)' : `>= ${minDelivered * 100}%`;
  return [
    `target: framerpc at M=${m} delivered ${wanted} of M^2/s: ${percent(delivered)} -> ${delivered >= minDelivered ? 'met' : 'NOT met'}`,
    `target: framerpc at M=${m} p99 < ${maxP99Ms} ms: ${formatLatency(r.p99Ms)} -> ${r.p99Ms < maxP99Ms ? 'met' : 'NOT met'}`,
    `target: framerpc at M=${m} server RSS < ${formatBytes(maxRss)}: ${formatBytes(cell.peakRss)} -> ${cell.peakRss < maxRss ? 'met' : 'NOT met'}`,
  ];
}
