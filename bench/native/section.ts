// The `native` section: a C load generator drives framerpc (transport echo, unary calls) and the raw
// merged node:net echo at the same shapes in the same run, so every framerpc figure has its limit beside it.
import type { CellPlan } from '../config';
import { ServerProcess } from '../child/server-process';
import { collectEverywhere } from '../load/collect-garbage';
import type { Table } from '../report/table';
import { compileLoadgen, type CompiledLoadgen } from './compile-loadgen';
import type { LoadgenMode, LoadgenResult } from './loadgen-result';
import { combineNativeRounds, type NativeCell, type NativeShape } from './native-rounds';
import { nativeTable, shapeLabel } from './native-report';
import { runLoadgen, type LoadgenRun } from './run-loadgen';

/** Issue 12's shapes: 1x1, 1x256 and 4x64 at 64 B, 512 B and 4 KiB; 50x1 at 512 B. */
export const NATIVE_SHAPES: readonly NativeShape[] = [
  ...[64, 512, 4096].flatMap((payloadBytes) =>
    [
      [1, 1],
      [1, 256],
      [4, 64],
    ].map(([connections, depth]) => ({ connections, depth, payloadBytes })),
  ),
  { connections: 50, depth: 1, payloadBytes: 512 },
];

interface NativePeer {
  readonly mode: LoadgenMode;
  readonly module: string;
  readonly args: string[];
  /** Metadata every call carries (the framerpc echo server's interceptor requires x-bench). */
  readonly metadata?: string;
}

const PEERS: readonly NativePeer[] = [
  { mode: 'transport', module: 'transport/framed-echo-server', args: ['heartbeatMs=0'] },
  { mode: 'raw', module: 'transport/raw-echo-server', args: ['mode=merged'] },
  { mode: 'unary', module: 'rpc/framerpc-echo', args: [], metadata: 'x-bench:1' },
];

// Before the first cell every server gets this much load, so no cell pays for its JIT compilation.
const SERVER_WARMUP = { connections: 1, depth: 64, payloadBytes: 64, warmupMs: 0, measureMs: 500 };

/**
 * Compiles the load generator (or reports why not), starts the three servers in child processes and runs
 * every shape in rounds, the three servers taking turns in each round. A failed cell is reported as an
 * error; the section carries on.
 */
export async function runNativeSection(plan: CellPlan, log: (line: string) => void): Promise<{ tables: Table[]; cells: NativeCell[] }> {
  const compiled = await compileLoadgen();
  if ('reason' in compiled) {
    log(compiled.reason);
    return { tables: [nativeTable(NATIVE_SHAPES, [], compiled.reason)], cells: [] };
  }
  const servers = new Map<LoadgenMode, ServerProcess>();
  try {
    for (const peer of PEERS) {
      const server = await ServerProcess.start(`native ${peer.mode}`, peer.module, peer.args);
      servers.set(peer.mode, server);
      await runLoadgen(compiled.binary, { ...SERVER_WARMUP, mode: peer.mode, port: server.port, metadata: peer.metadata });
    }
    const cells: NativeCell[] = [];
    for (const shape of NATIVE_SHAPES) {
      await collectEverywhere(servers.values());
      cells.push(...(await measureShape(compiled, servers, shape, plan, log)));
    }
    return { tables: [nativeTable(NATIVE_SHAPES, cells)], cells };
  } finally {
    await Promise.all([...servers.values()].map((server) => server.stop()));
    compiled.dispose();
  }
}

async function measureShape(compiled: CompiledLoadgen, servers: Map<LoadgenMode, ServerProcess>, shape: NativeShape, plan: CellPlan, log: (line: string) => void): Promise<NativeCell[]> {
  const results = new Map<LoadgenMode, LoadgenResult[]>(PEERS.map((peer) => [peer.mode, []]));
  const errors = new Map<LoadgenMode, string>();
  const serverCpu = new Map<LoadgenMode, number>(PEERS.map((peer) => [peer.mode, 0]));
  for (let round = 0; round < plan.rounds; round++) {
    for (const peer of PEERS) {
      if (errors.has(peer.mode)) continue;
      const server = servers.get(peer.mode) as ServerProcess;
      const run: LoadgenRun = { ...shape, mode: peer.mode, port: server.port, warmupMs: plan.round.warmupMs, measureMs: plan.round.measureMs, metadata: peer.metadata };
      try {
        const cpuBefore = await server.cpuMicros();
        results.get(peer.mode)?.push(await runLoadgen(compiled.binary, run));
        serverCpu.set(peer.mode, (serverCpu.get(peer.mode) ?? 0) + (await server.cpuMicros()) - cpuBefore);
      } catch (error) {
        errors.set(peer.mode, (error as Error).message);
      }
    }
  }
  return PEERS.map((peer) => {
    const error = errors.get(peer.mode);
    const cell: NativeCell = { mode: peer.mode, shape, result: error !== undefined ? { error } : combineNativeRounds(results.get(peer.mode) ?? [], serverCpu.get(peer.mode)) };
    const r = cell.result;
    const summary =
      'error' in r
        ? `error: ${r.error}`
        : `${Math.round(r.framesPerSecond)}/s (rounds ${r.perRound.join(', ')}), p50 ${r.p50Us.toFixed(0)} µs, p99 ${r.p99Us.toFixed(0)} µs, CPU/frame server ${r.serverCpuMicrosPerFrame.toFixed(2)} µs client ${r.clientCpuMicrosPerFrame.toFixed(2)} µs${r.errors > 0 ? `, ${r.errors} wrong replies` : ''}`;
    log(`  native ${peer.mode} ${shapeLabel(shape)} ${shape.payloadBytes} B: ${summary}`);
    return cell;
  });
}
