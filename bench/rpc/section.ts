// The `rpc` section: unary echo through RPC frameworks, one connection per framework, N calls in flight.
import { framerpcEchoPeer, framerpcMetricsEchoPeer } from './framerpc-echo';
import type { CellPlan } from '../config';
import { ServerProcess } from '../child/server-process';
import { runClosedLoop } from '../load/closed-loop';
import type { CellResult } from '../load/measurement';
import { collectEverywhere } from '../load/collect-garbage';
import { combineRounds, type RoundsResult } from '../load/rounds';
import { formatCpu, formatLatency, formatRate, formatSpread } from '../report/units';
import type { Table } from '../report/table';
import { grpcEchoPeer } from './grpc-echo';
import { nestEchoPeer } from './nest-echo';
import type { RpcEchoClient, RpcPeerFactory } from './rpc-peer';
import { rpcTargetLines } from './rpc-targets';

const PAYLOADS = [64, 4096];
const IN_FLIGHT = [1, 64, 256];
const CLIENT_WARMUP = { warmupMs: 0, measureMs: 500, maxOperations: 10_000_000 };

// ---------------------------------------------------------------------------------------------------
// RPC PEERS. The framerpc RPC row goes here: write rpc/framerpc-echo.ts exporting an RpcPeerFactory
// (its server module calls serveInChild; connect() opens one framerpc RPC client) and list it first.
// ---------------------------------------------------------------------------------------------------
export const RPC_PEERS: readonly RpcPeerFactory[] = [
  framerpcEchoPeer,
  // The same server and client with instrumentServer/instrumentChannel and prom-client: the cost of metrics per call.
  framerpcMetricsEchoPeer,
  grpcEchoPeer,
  nestEchoPeer,
];

/** One measured cell, kept for the JSON output. */
export interface RpcCell {
  readonly peer: string;
  readonly payloadBytes: number;
  readonly inFlight: number;
  readonly result: RoundsResult | { readonly error: string };
}

/** A peer whose server is up and whose client is connected. */
interface StartedPeer {
  readonly factory: RpcPeerFactory;
  readonly server: ServerProcess;
  readonly client: RpcEchoClient;
}

/**
 * Measures every peer of `peers` (default RPC_PEERS): each server in its own child process, one client
 * (one connection) per peer here, every payload x in-flight cell in rounds the peers take turns in.
 * A peer that fails to start, or a cell that fails, becomes an error row rather than ending the section.
 */
export async function runRpcSection(plan: CellPlan, log: (line: string) => void, peers: readonly RpcPeerFactory[] = RPC_PEERS): Promise<{ tables: Table[]; cells: RpcCell[] }> {
  const cells: RpcCell[] = [];
  const started: StartedPeer[] = [];
  try {
    for (const factory of peers) {
      try {
        started.push(await startPeer(factory));
      } catch (error) {
        cells.push({ peer: factory.name, payloadBytes: 0, inFlight: 0, result: { error: `did not start: ${(error as Error).message}` } });
        log(`  rpc ${factory.name}: did not start: ${(error as Error).message}`);
      }
    }
    for (const payloadBytes of PAYLOADS) {
      for (const inFlight of IN_FLIGHT) {
        await collectEverywhere(started.map((peer) => peer.server));
        const rounds = new Map<string, CellResult[]>(started.map((peer) => [peer.factory.name, []]));
        const clientCpu = new Map<string, number>();
        const cpu = new Map<string, number>(started.map((peer) => [peer.factory.name, 0]));
        const errors = new Map<string, string>();
        for (let round = 0; round < plan.rounds; round++) {
          for (const peer of started) {
            if (errors.has(peer.factory.name)) continue;
            try {
              const clientBefore = process.cpuUsage();
              const cpuBefore = await peer.server.cpuMicros();
              rounds.get(peer.factory.name)?.push(await runClosedLoop(echoCall(peer.client, payloadBytes), inFlight, plan.round));
              const client = process.cpuUsage(clientBefore);
              clientCpu.set(peer.factory.name, (clientCpu.get(peer.factory.name) ?? 0) + client.user + client.system);
              cpu.set(peer.factory.name, (cpu.get(peer.factory.name) ?? 0) + (await peer.server.cpuMicros()) - cpuBefore);
            } catch (error) {
              errors.set(peer.factory.name, (error as Error).message);
            }
          }
        }
        for (const peer of started) {
          const error = errors.get(peer.factory.name);
          const result = error ? { error } : combineRounds(rounds.get(peer.factory.name) ?? [], cpu.get(peer.factory.name), clientCpu.get(peer.factory.name));
          cells.push({ peer: peer.factory.name, payloadBytes, inFlight, result });
          const summary = 'error' in result ? `error: ${result.error}` : `${formatRate(result.perSecond)} calls/s (rounds ${result.perRound.join(', ')})`;
          log(`  rpc ${peer.factory.name} ${payloadBytes} B x${inFlight}: ${summary}`);
        }
      }
    }
  } finally {
    for (const peer of started) {
      await peer.client.close().catch(() => {});
      await peer.server.stop();
    }
  }
  return { tables: [rpcTable(cells)], cells };
}

/** Starts one peer's server, connects its client and warms both up (JIT) before any cell is measured. */
async function startPeer(factory: RpcPeerFactory): Promise<StartedPeer> {
  const server = await ServerProcess.start(factory.name, factory.serverModule, [...(factory.serverArgs ?? [])]);
  try {
    const client = await factory.connect(server.port);
    await runClosedLoop(echoCall(client, 64), 64, CLIENT_WARMUP);
    return { factory, server, client };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

function echoCall(client: RpcEchoClient, payloadBytes: number): () => Promise<void> {
  const text = 'a'.repeat(payloadBytes);
  return async () => {
    const echoed = await client.echo(text);
    if (echoed.length !== payloadBytes) throw new Error(`echo of ${echoed.length} characters, expected ${payloadBytes}`);
  };
}

function rpcTable(cells: readonly RpcCell[]): Table {
  const ordered = [...cells].sort((a, b) => a.payloadBytes - b.payloadBytes || a.inFlight - b.inFlight);
  // framerpc's calls/s divided by this row's, at the same payload and in-flight count.
  const framerpcRate = (cell: RpcCell): number | undefined => {
    const own = cells.find((c) => c.peer === framerpcEchoPeer.name && c.payloadBytes === cell.payloadBytes && c.inFlight === cell.inFlight);
    return own && !('error' in own.result) ? own.result.perSecond : undefined;
  };
  const ratio = (cell: RpcCell): string => {
    const ours = framerpcRate(cell);
    return ours === undefined || 'error' in cell.result || cell.result.perSecond === 0 ? '-' : `${(ours / cell.result.perSecond).toFixed(2)}x`;
  };
  return {
    title: 'RPC: unary echo on one connection (client and server in separate processes; median of the rounds)',
    columns: ['framework', 'payload', 'in flight', 'calls/s', 'spread', 'p50', 'p99', 'server CPU/call', 'client CPU/call', 'framerpc vs this'],
    rows: ordered.map((c) =>
      'error' in c.result
        ? [c.peer, `${c.payloadBytes} B`, String(c.inFlight), 'error', '-', '-', '-', '-', '-', '-']
        : [
            c.peer,
            `${c.payloadBytes} B`,
            String(c.inFlight),
            formatRate(c.result.perSecond),
            formatSpread(c.result.spread),
            formatLatency(c.result.p50Ms),
            formatLatency(c.result.p99Ms),
            formatCpu(c.result.serverCpuMicrosPerOp),
            formatCpu(c.result.clientCpuMicrosPerOp),
            ratio(c),
          ],
    ),
    notes: [
      "framerpc vs this: framerpc calls/s divided by this row's, same payload and in-flight count.",
      ...rpcTargetLines(cells, { ours: framerpcEchoPeer.name, nest: nestEchoPeer.name, grpc: grpcEchoPeer.name }),
      "The p50 target's other half, within 10% of the raw node:net echo driven the same way: compare framerpc's p50 at 64 B x1 here with the transport section's raw merged p50 at 64 B x1.",
      "framerpc+metrics: the framerpc row with instrumentServer and instrumentChannel feeding prom-client on both sides; its CPU/call columns minus framerpc's are the cost of metrics per call.",
      ...cells.flatMap((c) => ('error' in c.result ? [`error in ${c.peer} ${c.payloadBytes} B x${c.inFlight}: ${c.result.error}`] : [])),
    ],
  };
}
