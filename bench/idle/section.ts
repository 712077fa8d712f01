// The `idle` section: server memory with thousands of idle connections, framerpc vs raw node:net.
import { fork } from 'node:child_process';
import { ServerProcess } from '../child/server-process';
import { benchModule } from '../paths';
import { formatBytes } from '../report/units';
import type { Table } from '../report/table';
import type { IdleClientReport } from './idle-client';

const OPEN_TIMEOUT_MS = 120_000;
const SETTLE_MS = 1500;
const TARGET_RSS_BYTES = 150 * 1024 * 1024;

interface IdlePeer {
  readonly name: string;
  readonly module: string;
  readonly args: string[];
  readonly framed: boolean;
}

const PEERS: readonly IdlePeer[] = [
  // A long heartbeat: each connection carries its timer, as in production, but no PING is sent during the run.
  { name: 'framerpc', module: 'idle/idle-frame-server', args: ['maxConnections=20000', 'heartbeatMs=600000'], framed: true },
  { name: 'raw net', module: 'transport/raw-echo-server', args: ['mode=idle'], framed: false },
];

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

/** Opens `count` idle connections from a client child to each server child and reports the server's RSS. */
export async function runIdleSection(count: number, log: (line: string) => void): Promise<{ tables: Table[]; cells: IdleCell[] }> {
  const cells: IdleCell[] = [];
  for (const peer of PEERS) {
    const cell = await measurePeer(peer, count);
    log(`  idle ${peer.name}: ${cell.opened}/${count} open in ${cell.openSeconds.toFixed(1)} s, server RSS ${formatBytes(cell.rssAfter)}`);
    cells.push(cell);
  }
  return { tables: [idleTable(cells, count)], cells };
}

async function measurePeer(peer: IdlePeer, count: number): Promise<IdleCell> {
  const server = await ServerProcess.start(peer.name, peer.module, peer.args);
  const client = fork(benchModule('idle/idle-client'), [`port=${server.port}`, `count=${count}`, `framed=${peer.framed ? 1 : 0}`, 'batch=500'], {
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

function idleTable(cells: readonly IdleCell[], count: number): Table {
  const framerpc = cells.find((c) => c.peer === 'framerpc');
  const notes: string[] = [];
  if (framerpc) {
    const met = framerpc.rssAfter < TARGET_RSS_BYTES && framerpc.serverConnections === count;
    notes.push(`target: framerpc server RSS < ${formatBytes(TARGET_RSS_BYTES)} with ${count} idle connections: ${formatBytes(framerpc.rssAfter)} -> ${met ? 'met' : 'NOT met'}`);
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
      formatBytes(Math.round((c.heapAfter - c.heapBefore) / Math.max(1, c.serverConnections))),
      `${c.openSeconds.toFixed(1)} s`,
    ]),
    notes,
  };
}
