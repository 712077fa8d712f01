// The `websocket` section: the broadcast test over WebSocket (framerpc vs socket.io, M clients in their own
// process), and unary calls over WebSocket beside the same server over TCP.
import { runBroadcastCell, type BroadcastCell } from '../broadcast/cell';
import type { BroadcastPlan } from '../broadcast/config';
import { seconds, type CellPlan } from '../config';
import { ServerProcess } from '../child/server-process';
import { runClosedLoop } from '../load/closed-loop';
import type { CellResult } from '../load/measurement';
import { combineRounds, type RoundsResult } from '../load/rounds';
import type { Table } from '../report/table';
import { formatBytes, formatLatency, formatRate, formatSpread } from '../report/units';
import type { RpcEchoClient, RpcPeerFactory } from '../rpc/rpc-peer';
import { framerpcTcpEchoPeer, framerpcWebSocketEchoPeer } from './framerpc-ws-echo';

const MIB = 1024 * 1024;
/** Issue targets for framerpc over WebSocket at M = 1000, checked under the broadcast table. */
const TARGETS = { delivered: 0.99, p99Ms: 100, versusSocketIo: 5 };
const UNARY_IN_FLIGHT = [1, 256];
const UNARY_PAYLOAD_BYTES = 64;

/** What the section runs: WEBSOCKET_CLIENTS (1000) clients, WEBSOCKET_SECONDS (10) measured after 3 s warm-up. */
export function websocketBroadcastPlan(): BroadcastPlan {
  const clients = Number(process.env.WEBSOCKET_CLIENTS ?? 1000);
  if (!Number.isInteger(clients) || clients < 2 || clients > 5000) throw new TypeError(`WEBSOCKET_CLIENTS must be an integer in [2, 5000], got ${process.env.WEBSOCKET_CLIENTS}`);
  return {
    clientCounts: [clients],
    servers: ['framerpc ws', 'socket.io'],
    warmupMs: seconds('WEBSOCKET_WARMUP_SECONDS', 3) * 1000,
    measureMs: seconds('WEBSOCKET_SECONDS', 10) * 1000,
    typedClients: 0,
    maxServerRssBytes: 4096 * MIB,
    connectTimeoutMs: 60_000,
  };
}

export interface WebSocketSectionCells {
  readonly broadcast: BroadcastCell[];
  readonly unary: { peer: string; inFlight: number; result: RoundsResult | { error: string } }[];
}

/** Runs the broadcast cells one at a time, then the unary rows in interleaved rounds. */
export async function runWebSocketSection(plan: BroadcastPlan, unaryPlan: CellPlan, log: (line: string) => void): Promise<{ tables: Table[]; cells: WebSocketSectionCells }> {
  const broadcast: BroadcastCell[] = [];
  for (const server of plan.servers) {
    const cell = await runBroadcastCell(server, plan.clientCounts[0], plan, log);
    broadcast.push(cell);
    log(`  websocket broadcast ${server} M=${cell.clients}: ${cell.result ? `${formatRate(delivered(cell))} delivered/s, p99 ${formatLatency(cell.result.p99Ms)}` : `error: ${cell.error}`}`);
  }
  const unary = await runUnary(unaryPlan, log);
  return { tables: [broadcastTable(broadcast, plan), unaryTable(unary)], cells: { broadcast, unary } };
}

function delivered(cell: BroadcastCell): number {
  return cell.result ? cell.result.delivered / (cell.result.measuredMs / 1000) : NaN;
}

function percent(ratio: number): string {
  return Number.isFinite(ratio) ? `${(ratio * 100).toFixed(1)}%` : '-';
}

function broadcastTable(cells: readonly BroadcastCell[], plan: BroadcastPlan): Table {
  const rows = cells.map((cell) => {
    const r = cell.result;
    const expected = cell.connected * cell.connected;
    if (!r) return [cell.server, String(cell.clients), String(cell.connected), '-', formatRate(expected), '-', '-', '-', formatBytes(cell.peakRss || 0), '-', '-', `error: ${cell.error}`];
    const serverCpu = cell.serverCpuMicros === undefined || cell.serverWindowMs === undefined ? NaN : cell.serverCpuMicros / (cell.serverWindowMs * 1000);
    return [
      cell.server,
      String(cell.clients),
      String(cell.connected),
      formatRate(delivered(cell)),
      formatRate(expected),
      percent(delivered(cell) / expected),
      formatLatency(r.p50Ms),
      formatLatency(r.p99Ms),
      formatBytes(cell.peakRss),
      percent(serverCpu),
      percent(r.cpuMicros / (r.measuredMs * 1000)),
      [r.closed > 0 ? `${r.closed} closed` : '', cell.error ?? ''].filter(Boolean).join('; '),
    ];
  });
  return {
    title: `WebSocket broadcast: M clients (ws, own process) each send 1 msg/s, the server sends each to all M (${plan.warmupMs / 1000} s warm-up, ${plan.measureMs / 1000} s measured)`,
    columns: ['server', 'M', 'connected', 'delivered/s', 'expected/s', 'delivered', 'p50', 'p99', 'server peak RSS', 'server CPU', 'client CPU', 'note'],
    rows,
    notes: [
      'framerpc ws: RpcServer + PushHub over serveWebSocket, raw framerpc clients over ws WebSockets; socket.io: websocket transport only, io.emit to all.',
      'CPU in % of one core over the measurement; a client process near 100% measures itself as much as the server.',
      ...targetNotes(cells),
    ],
  };
}

function targetNotes(cells: readonly BroadcastCell[]): string[] {
  const framerpc = cells.find((cell) => cell.server === 'framerpc ws');
  const socketIo = cells.find((cell) => cell.server === 'socket.io');
  if (!framerpc?.result) return [`target: framerpc over WebSocket: NOT met (${framerpc?.error ?? 'not run'})`];
  const ratio = delivered(framerpc) / (framerpc.connected * framerpc.connected);
  const p99 = framerpc.result.p99Ms;
  const versus = socketIo?.result ? delivered(framerpc) / delivered(socketIo) : NaN;
  return [
    `target: framerpc ws delivered >= ${TARGETS.delivered * 100}% of M x M: ${percent(ratio)} -> ${ratio >= TARGETS.delivered ? 'met' : 'NOT met'}`,
    `target: framerpc ws p99 < ${TARGETS.p99Ms} ms: ${formatLatency(p99)} -> ${p99 < TARGETS.p99Ms ? 'met' : 'NOT met'}`,
    `target: framerpc ws >= ${TARGETS.versusSocketIo}x socket.io's delivered/s: ${Number.isFinite(versus) ? `${versus.toFixed(1)}x` : `socket.io did not finish (${socketIo?.error ?? 'not run'})`} -> ${versus >= TARGETS.versusSocketIo ? 'met' : 'NOT met'}`,
  ];
}

interface StartedPeer {
  readonly factory: RpcPeerFactory;
  readonly server: ServerProcess;
  readonly client: RpcEchoClient;
}

async function runUnary(plan: CellPlan, log: (line: string) => void): Promise<WebSocketSectionCells['unary']> {
  const cells: WebSocketSectionCells['unary'] = [];
  const started: StartedPeer[] = [];
  try {
    for (const factory of [framerpcTcpEchoPeer, framerpcWebSocketEchoPeer]) {
      const server = await ServerProcess.start(factory.name, factory.serverModule, [...(factory.serverArgs ?? [])]);
      started.push({ factory, server, client: await factory.connect(server.port) });
    }
    for (const peer of started) await runClosedLoop(echoCall(peer.client), 64, { warmupMs: 0, measureMs: 500, maxOperations: 1_000_000 }); // JIT
    for (const inFlight of UNARY_IN_FLIGHT) {
      const rounds = new Map<string, CellResult[]>(started.map((peer) => [peer.factory.name, []]));
      for (let round = 0; round < plan.rounds; round++) {
        for (const peer of started) rounds.get(peer.factory.name)?.push(await runClosedLoop(echoCall(peer.client), inFlight, plan.round));
      }
      for (const peer of started) {
        const result = combineRounds(rounds.get(peer.factory.name) ?? []);
        cells.push({ peer: peer.factory.name, inFlight, result });
        log(`  websocket unary ${peer.factory.name} x${inFlight}: ${formatRate(result.perSecond)} calls/s`);
      }
    }
  } catch (error) {
    cells.push({ peer: 'framerpc', inFlight: 0, result: { error: (error as Error).message } });
  } finally {
    for (const peer of started) {
      await peer.client.close().catch(() => {});
      await peer.server.stop();
    }
  }
  return cells;
}

function echoCall(client: RpcEchoClient): () => Promise<void> {
  const text = 'a'.repeat(UNARY_PAYLOAD_BYTES);
  return async () => {
    const echoed = await client.echo(text);
    if (echoed.length !== UNARY_PAYLOAD_BYTES) throw new Error(`echo of ${echoed.length} characters, expected ${UNARY_PAYLOAD_BYTES}`);
  };
}

function unaryTable(cells: WebSocketSectionCells['unary']): Table {
  return {
    title: `Unary ${UNARY_PAYLOAD_BYTES} B echo, one channel: the same framerpc server over TCP and over WebSocket`,
    columns: ['transport', 'in flight', 'calls/s', 'spread', 'p50', 'p99'],
    rows: cells.map(({ peer, inFlight, result }) =>
      'error' in result
        ? [peer, String(inFlight), '-', '-', '-', `error: ${result.error}`]
        : [peer, String(inFlight), formatRate(result.perSecond), formatSpread(result.spread), formatLatency(result.p50Ms), formatLatency(result.p99Ms)],
    ),
    notes: ['The server runs in a child process of its own; the client (one connection) in the bench process. Median of the rounds.'],
  };
}
