// The `transport` section: framerpc's framed echo next to raw node:net echo peers, same client for all.
import { cpuProfileDir, type CellPlan } from '../config';
import { collectEverywhere } from '../load/collect-garbage';
import { ServerProcess } from '../child/server-process';
import { runPipelined } from '../load/pipelined-client';
import type { CellResult } from '../load/measurement';
import { combineRounds, type RoundsResult } from '../load/rounds';
import { formatCpu, formatLatency, formatRate, formatRatio, formatSpread } from '../report/units';
import type { Table } from '../report/table';

const PAYLOADS = [64, 512, 4096];
const IN_FLIGHT = [1, 64, 256];

interface EchoPeer {
  readonly name: string;
  readonly module: string;
  readonly args: string[];
  readonly framed: boolean;
}

const PEERS: readonly EchoPeer[] = [
  { name: 'framerpc', module: 'transport/framed-echo-server', args: ['heartbeatMs=0'], framed: true },
  { name: 'raw merged', module: 'transport/raw-echo-server', args: ['mode=merged'], framed: false },
  { name: 'raw naive', module: 'transport/raw-echo-server', args: ['mode=naive'], framed: false },
];
const BASELINE = 'raw merged';

/** One measured cell of the section, kept for the JSON output. */
export interface TransportCell {
  readonly peer: string;
  readonly payloadBytes: number;
  readonly inFlight: number;
  readonly result: RoundsResult | { readonly error: string };
}

// Before the first cell every server gets this much load, so no cell pays for JIT compilation.
const SERVER_WARMUP = { warmupMs: 0, measureMs: 500, maxOperations: 10_000_000 };

/**
 * Runs every peer x payload x in-flight cell; servers in child processes, the client here. Each cell is
 * measured in rounds, the peers of a row taking turns, and reported as the median round.
 */
export async function runTransportSection(plan: CellPlan, log: (line: string) => void): Promise<{ tables: Table[]; cells: TransportCell[] }> {
  const servers = new Map<string, ServerProcess>();
  const profileDir = cpuProfileDir();
  try {
    for (const peer of PEERS) {
      const execArgv = profileDir && peer.framed ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
      const server = await ServerProcess.start(peer.name, peer.module, peer.args, execArgv);
      servers.set(peer.name, server);
      await runPipelined({ port: server.port, framed: peer.framed }, 64, 64, SERVER_WARMUP);
    }
    const cells: TransportCell[] = [];
    for (const payloadBytes of PAYLOADS) {
      for (const inFlight of IN_FLIGHT) {
        await collectEverywhere(servers.values());
        const rounds = new Map<string, CellResult[]>(PEERS.map((peer) => [peer.name, []]));
        const clientCpu = new Map<string, number>();
        const cpu = new Map<string, number>(PEERS.map((peer) => [peer.name, 0]));
        const errors = new Map<string, string>();
        for (let round = 0; round < plan.rounds; round++) {
          for (const peer of PEERS) {
            if (errors.has(peer.name)) continue;
            const server = servers.get(peer.name) as ServerProcess;
            try {
              const clientBefore = process.cpuUsage();
              const cpuBefore = await server.cpuMicros();
              rounds.get(peer.name)?.push(await runPipelined({ port: server.port, framed: peer.framed }, payloadBytes, inFlight, plan.round));
              const client = process.cpuUsage(clientBefore);
              clientCpu.set(peer.name, (clientCpu.get(peer.name) ?? 0) + client.user + client.system);
              cpu.set(peer.name, (cpu.get(peer.name) ?? 0) + (await server.cpuMicros()) - cpuBefore);
            } catch (error) {
              errors.set(peer.name, (error as Error).message);
            }
          }
        }
        for (const peer of PEERS) {
          const error = errors.get(peer.name);
          const result = error ? { error } : combineRounds(rounds.get(peer.name) ?? [], cpu.get(peer.name), clientCpu.get(peer.name));
          cells.push({ peer: peer.name, payloadBytes, inFlight, result });
          log(`  transport ${peer.name} ${payloadBytes} B x${inFlight}: ${'error' in result ? `error: ${result.error}` : describe(result)}`);
        }
      }
    }
    return { tables: [transportTable(cells)], cells };
  } finally {
    await Promise.all([...servers.values()].map((server) => server.stop()));
  }
}

function describe(result: RoundsResult): string {
  return `${formatRate(result.perSecond)} msg/s (rounds ${result.perRound.join(', ')}), p50 ${formatLatency(result.p50Ms)}, mean ${formatLatency(result.meanMs)}`;
}

function transportTable(cells: readonly TransportCell[]): Table {
  const rows: string[][] = [];
  for (const cell of cells) {
    const baseline = cells.find((c) => c.peer === BASELINE && c.payloadBytes === cell.payloadBytes && c.inFlight === cell.inFlight);
    if ('error' in cell.result) {
      rows.push([cell.peer, `${cell.payloadBytes} B`, String(cell.inFlight), 'error', '-', '-', '-', '-', '-', '-']);
      continue;
    }
    const ratio = baseline && !('error' in baseline.result) ? cell.result.perSecond / baseline.result.perSecond : NaN;
    rows.push([
      cell.peer,
      `${cell.payloadBytes} B`,
      String(cell.inFlight),
      formatRate(cell.result.perSecond),
      formatSpread(cell.result.spread),
      formatLatency(cell.result.p50Ms),
      formatLatency(cell.result.p99Ms),
      formatCpu(cell.result.serverCpuMicrosPerOp),
      formatCpu(cell.result.clientCpuMicrosPerOp),
      formatRatio(ratio),
    ]);
  }
  return {
    title: 'Transport: echo on one connection (client and server in separate processes; median of the rounds)',
    columns: ['server', 'payload', 'in flight', 'msgs/s', 'spread', 'p50', 'p99', 'server CPU/msg', 'client CPU/msg', 'vs raw merged'],
    rows,
    notes: [...targetNotes(cells), ...errorNotes(cells)],
  };
}

function targetNotes(cells: readonly TransportCell[]): string[] {
  const find = (peer: string, payloadBytes: number, inFlight: number): CellResult | undefined => {
    const cell = cells.find((c) => c.peer === peer && c.payloadBytes === payloadBytes && c.inFlight === inFlight);
    return cell && !('error' in cell.result) ? cell.result : undefined;
  };
  const notes: string[] = [];
  const ours = find('framerpc', 64, 256);
  const raw = find(BASELINE, 64, 256);
  if (ours && raw) {
    const ratio = ours.perSecond / raw.perSecond;
    notes.push(`target: framerpc >= 0.90x raw merged at 64 B x256 in flight: ${formatRatio(ratio)} -> ${ratio >= 0.9 ? 'met' : 'NOT met'}`);
  }
  for (const payloadBytes of PAYLOADS) {
    const one = find('framerpc', payloadBytes, 1);
    const rawOne = find(BASELINE, payloadBytes, 1);
    if (!one || !rawOne) continue;
    const ratio = one.p50Ms / rawOne.p50Ms;
    notes.push(
      `target: framerpc p50 at ${payloadBytes} B x1 within 10% of raw: ${formatLatency(one.p50Ms)} vs ${formatLatency(rawOne.p50Ms)} (${formatRatio(ratio)}) -> ${ratio <= 1.1 ? 'met' : 'NOT met'}`,
    );
  }
  return notes;
}

function errorNotes(cells: readonly TransportCell[]): string[] {
  return cells.flatMap((c) => ('error' in c.result ? [`error in ${c.peer} ${c.payloadBytes} B x${c.inFlight}: ${c.result.error}`] : []));
}
