// The `idle` section: server memory with thousands of idle connections, framerpc vs raw node:net, at 10k and 50k.
import { fork } from 'node:child_process';
import { ServerProcess } from '../child/server-process';
import { benchModule } from '../paths';
import { formatBytes } from '../report/units';
import type { Table } from '../report/table';
import type { IdleClientReport } from './idle-client';
import { ensureOpenFileLimit } from './fd-limit';

const OPEN_TIMEOUT_MS = 120_000;
const SETTLE_MS = 1500;
const TARGET_RSS_BYTES = 150 * 1024 * 1024;
/** The idle-connections issue: at most 1.5 KiB of JS heap per connection after GC at 10k. */
const TARGET_HEAP_PER_CONNECTION_BYTES = 1.5 * 1024;
/** ... and 50k idle connections held with a server RSS under 500 MB. */
const TARGET_LARGE_RSS_BYTES = 500 * 1000 * 1000;
// Connections per source address in the large cell: one address has ~28k ephemeral ports (32768-60999);
// well under that, picking a free port stays quick.
const CONNECTIONS_PER_SOURCE = 10_000;
// Files a process needs besides its sockets.
const SPARE_FILES = 1000;

/** Connections of the large cell: BENCH_IDLE_LARGE_CONNECTIONS (default 50000; 0 skips the cell). */
export function largeIdleConnectionCount(): number {
  const raw = process.env.BENCH_IDLE_LARGE_CONNECTIONS;
  const value = raw ? Number(raw) : 50_000;
  if (!Number.isInteger(value) || value < 0 || value > 500_000) {
    throw new TypeError(`BENCH_IDLE_LARGE_CONNECTIONS must be an integer in [0, 500000] (0 skips the large cell), got ${raw}`);
  }
  return value;
}

interface IdlePeer {
  readonly name: string;
  readonly module: string;
  readonly args: string[];
  readonly framed: boolean;
}

function peers(count: number): IdlePeer[] {
  return [
    // A long heartbeat: each connection takes part in it, as in production, but no PING is sent during the run.
    { name: 'framerpc', module: 'idle/idle-frame-server', args: [`maxConnections=${count + SPARE_FILES}`, 'heartbeatMs=600000'], framed: true },
    { name: 'raw net', module: 'transport/raw-echo-server', args: ['mode=idle'], framed: false },
  ];
}

/** One peer's memory numbers (bytes). */
export interface IdleCell {
  readonly peer: string;
  readonly requested: number;
  readonly opened: number;
  readonly serverConnections: number;
  readonly rssBefore: number;
  readonly rssAfter: number;
  readonly heapBefore: number;
  readonly heapAfter: number;
  readonly openSeconds: number;
  readonly firstError?: string;
}

/**
 * Opens `count` idle connections from a client child to each server child and reports the server's
 * memory; then the large cell: `largeCount` connections (from several source addresses), RSS only.
 */
export async function runIdleSection(count: number, log: (line: string) => void, largeCount = largeIdleConnectionCount()): Promise<{ tables: Table[]; cells: IdleCell[] }> {
  const cells = await measurePeers(peers(count), count, 0, log);
  const tables = [idleTable(cells, count, 'base')];
  if (largeCount > 0) {
    // Each child holds one socket per connection: without the file limit, the server would die of EMFILE.
    const limited = ensureOpenFileLimit(largeCount + SPARE_FILES);
    const held = limited ? limited.limit - SPARE_FILES : largeCount;
    if (limited) log(`  idle ${largeCount}: ${limited.reason}; running ${held} instead and projecting`);
    if (held > count) {
      // framerpc only: the target is the framerpc server's RSS, and the section stays within a minute.
      const large = await measurePeers(peers(held).slice(0, 1), held, Math.ceil(held / CONNECTIONS_PER_SOURCE), log);
      const table = idleTable(large, held, limited ? 'none' : 'large');
      tables.push(limited ? { ...table, notes: [...(table.notes ?? []), `limited: ${limited.reason}`, ...projectedNotes(large, largeCount)] } : table);
      cells.push(...large);
    } else if (limited) {
      tables.push({ ...idleTable([], largeCount, 'none'), notes: [`not run: ${limited.reason}`] });
    }
  }
  return { tables, cells };
}

async function measurePeers(list: readonly IdlePeer[], count: number, sources: number, log: (line: string) => void): Promise<IdleCell[]> {
  const cells: IdleCell[] = [];
  for (const peer of list) {
    const cell = await measurePeer(peer, count, sources);
    log(`  idle ${peer.name}: ${cell.opened}/${count} open in ${cell.openSeconds.toFixed(1)} s, server RSS ${formatBytes(cell.rssAfter)}`);
    cells.push(cell);
  }
  return cells;
}

async function measurePeer(peer: IdlePeer, count: number, sources: number): Promise<IdleCell> {
  const server = await ServerProcess.start(peer.name, peer.module, peer.args);
  const args = [`port=${server.port}`, `count=${count}`, `framed=${peer.framed ? 1 : 0}`, 'batch=500', `sources=${sources}`];
  const client = fork(benchModule('idle/idle-client'), args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const before = await server.memory();
    const report = await new Promise<IdleClientReport>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`idle client did not open ${count} connections within ${OPEN_TIMEOUT_MS} ms`)), OPEN_TIMEOUT_MS);
      client.once('message', (message: IdleClientReport) => {
        clearTimeout(timer);
        resolve(message);
      });
      client.once('exit', (code) => reject(new Error(`idle client exited early with code ${code}`)));
    });
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const after = await server.memory();
    return {
      peer: peer.name,
      requested: count,
      opened: report.opened,
      serverConnections: after.connections,
      rssBefore: before.rss,
      rssAfter: after.rss,
      heapBefore: before.heapUsed,
      heapAfter: after.heapUsed,
      openSeconds: report.seconds,
      firstError: report.firstError,
    };
  } finally {
    await stopClient(client);
    await server.stop();
  }
}

function stopClient(client: ReturnType<typeof fork>): Promise<void> {
  if (client.exitCode !== null || client.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => client.kill('SIGKILL'), 10_000);
    client.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    client.send({ type: 'close' });
  });
}

/** `targets`: which targets the table is judged by (the 10k ones, the 50k one, or none for a cell cut short). */
function idleTable(cells: readonly IdleCell[], count: number, targets: 'base' | 'large' | 'none'): Table {
  const framerpc = targets === 'none' ? undefined : cells.find((c) => c.peer === 'framerpc');
  const notes: string[] = [];
  if (framerpc && targets === 'large') {
    const met = framerpc.rssAfter < TARGET_LARGE_RSS_BYTES && framerpc.serverConnections === count;
    notes.push(`target: framerpc server RSS < 500 MB (${formatBytes(TARGET_LARGE_RSS_BYTES)}) with ${count} idle connections: ${formatBytes(framerpc.rssAfter)} -> ${met ? 'met' : 'NOT met'}`);
  } else if (framerpc) {
    const met = framerpc.rssAfter < TARGET_RSS_BYTES && framerpc.serverConnections === count;
    notes.push(`target: framerpc server RSS < ${formatBytes(TARGET_RSS_BYTES)} with ${count} idle connections: ${formatBytes(framerpc.rssAfter)} -> ${met ? 'met' : 'NOT met'}`);
    if (count >= 10_000) {
      const perConnection = heapPerConnection(framerpc);
      const heapMet = perConnection <= TARGET_HEAP_PER_CONNECTION_BYTES && framerpc.serverConnections === count;
      notes.push(
        `target: framerpc server JS heap <= ${formatBytes(TARGET_HEAP_PER_CONNECTION_BYTES)} per connection after GC at ${count}: ${formatBytes(perConnection)} (${perConnection} B) -> ${heapMet ? 'met' : 'NOT met'}`,
      );
    }
  }
  for (const cell of cells) if (cell.firstError) notes.push(`${cell.peer}: ${cell.requested - cell.opened} connections failed, first: ${cell.firstError}`);
  return {
    title: `Idle connections: server memory with ${count} idle connections (after a forced GC)`,
    columns: ['server', 'connections', 'RSS before', 'RSS after', 'RSS / conn', 'heap before', 'heap after', 'heap / conn', 'open time'],
    rows: cells.map((c) => [
      c.peer,
      String(c.serverConnections),
      formatBytes(c.rssBefore),
      formatBytes(c.rssAfter),
      formatBytes(Math.round((c.rssAfter - c.rssBefore) / Math.max(1, c.serverConnections))),
      formatBytes(c.heapBefore),
      formatBytes(c.heapAfter),
      formatBytes(heapPerConnection(c)),
      `${c.openSeconds.toFixed(1)} s`,
    ]),
    notes,
  };
}

/** Where the file limit stopped the large cell short: its RSS at `target` connections, from the per-connection RSS measured. */
function projectedNotes(cells: readonly IdleCell[], target: number): string[] {
  const framerpc = cells.find((c) => c.peer === 'framerpc');
  if (!framerpc || framerpc.serverConnections === 0) return [];
  const perConnection = (framerpc.rssAfter - framerpc.rssBefore) / framerpc.serverConnections;
  const projected = framerpc.rssBefore + perConnection * target;
  const met = projected < TARGET_LARGE_RSS_BYTES;
  return [
    `target: framerpc server RSS < 500 MB (${formatBytes(TARGET_LARGE_RSS_BYTES)}) with ${target} idle connections: not measured (file limit); projected from ${framerpc.serverConnections}: ${formatBytes(Math.round(projected))} -> ${met ? 'met (projected)' : 'NOT met (projected)'}`,
  ];
}

function heapPerConnection(cell: IdleCell): number {
  return Math.round((cell.heapAfter - cell.heapBefore) / Math.max(1, cell.serverConnections));
}
