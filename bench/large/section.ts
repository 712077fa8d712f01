// The `large` section: 256 KiB unary calls, 64 in flight, one bidi stream of 1 MiB messages, and 64 B calls beside it.
import type { CellPlan } from '../config';
import { ServerProcess } from '../child/server-process';
import { CallFailures } from '../load/call-failures';
import { runFailingClosedLoop } from '../load/failing-closed-loop';
import type { CellResult } from '../load/measurement';
import { combineRounds } from '../load/rounds';
import type { Table } from '../report/table';
import { besideBulkTable, type BesideBulkCell } from './beside-bulk-table';
import { runBesideBulkRound, summarizeLatencies, type SmallCallBounds } from './calls-beside-bulk';
import { framerpcBulkPeer } from './framerpc-bulk';
import { grpcBulkPeer } from './grpc-bulk';
import { streamTable, unaryTable, type LargeStreamCell, type LargeUnaryCell } from './large-tables';
import type { LargeEchoClient, LargePeerFactory } from './large-peer';
import { runStreamEcho, type StreamBounds } from './stream-echo';

/** The unary shape: request and response of this size, this many calls in flight on one connection. */
export const UNARY_SHAPE = { payloadBytes: 256 * 1024, inFlight: 64 } as const;

/** The stream shape: up to 64 messages of 1 MiB each way (64 MiB), sending for at most 10 s. */
export const STREAM_SHAPE: StreamBounds = { messageBytes: 1024 * 1024, maxMessages: 64, sendForMs: 10_000, deadlineMs: 25_000 };

/** The head-of-line cell's small calls: 64 B, 1 in flight, while the stream lasts (at most 5000 or 20 s). */
export const BESIDE_CALLS: SmallCallBounds = { payloadBytes: 64, maxCalls: 5000, maxMs: 20_000 };

// The same calls without the stream, just before it on the same connection (they warm the unary path too).
const BASELINE_CALLS: SmallCallBounds = { payloadBytes: 64, maxCalls: 1000, maxMs: 1000 };

// A short stream before the measured one, on a connection of its own, so the measured one runs warm code.
const STREAM_WARMUP: StreamBounds = { ...STREAM_SHAPE, maxMessages: 4, sendForMs: 2000, deadlineMs: 10_000 };

/** framerpc first: the tables divide its figures by every other row's. */
export const LARGE_PEERS: readonly LargePeerFactory[] = [framerpcBulkPeer, grpcBulkPeer];

interface StartedServer {
  readonly factory: LargePeerFactory;
  readonly server: ServerProcess;
}

/**
 * Measures every peer of `peers`: each server in its own child process, each round and stream on a
 * client (one connection) of its own in this process, so a connection one cell broke cannot fail the
 * next. Failed calls are counted and reported with the first one's status, never ending the section.
 */
export async function runLargeSection(
  plan: CellPlan,
  log: (line: string) => void,
  peers: readonly LargePeerFactory[] = LARGE_PEERS,
): Promise<{ tables: Table[]; cells: { unary: LargeUnaryCell[]; stream: LargeStreamCell[]; besideBulk: BesideBulkCell[] } }> {
  const unary: LargeUnaryCell[] = [];
  const stream: LargeStreamCell[] = [];
  const besideBulk: BesideBulkCell[] = [];
  const started: StartedServer[] = [];
  try {
    for (const factory of peers) {
      try {
        started.push({ factory, server: await ServerProcess.start(factory.name, factory.serverModule) });
      } catch (error) {
        const failures = new CallFailures();
        failures.add(new Error(`server did not start: ${(error as Error).message}`));
        unary.push({ peer: factory.name, ...UNARY_SHAPE, result: undefined, failures });
        stream.push({ peer: factory.name, messageBytes: STREAM_SHAPE.messageBytes, result: undefined, serverCpuMicrosPerMiB: NaN, clientCpuMicrosPerMiB: NaN, failures });
        log(`  large ${factory.name}: server did not start: ${(error as Error).message}`);
      }
    }
    unary.push(...(await measureUnary(started, plan, log)));
    for (const peer of started) stream.push(await measureStream(peer, log));
    besideBulk.push(...(await measureBesideBulk(started, plan, log)));
  } finally {
    for (const peer of started) await peer.server.stop();
  }
  return { tables: [unaryTable(unary), streamTable(stream), besideBulkTable(besideBulk)], cells: { unary, stream, besideBulk } };
}

/** The unary cell, in rounds the peers take turns in, each round on a fresh connection. */
async function measureUnary(started: readonly StartedServer[], plan: CellPlan, log: (line: string) => void): Promise<LargeUnaryCell[]> {
  const rounds = new Map<string, CellResult[]>(started.map((peer) => [peer.factory.name, []]));
  const failures = new Map<string, CallFailures>(started.map((peer) => [peer.factory.name, new CallFailures()]));
  const serverCpu = new Map<string, number>(started.map((peer) => [peer.factory.name, 0]));
  const clientCpu = new Map<string, number>(started.map((peer) => [peer.factory.name, 0]));
  const request = Buffer.alloc(UNARY_SHAPE.payloadBytes, 0x61);
  for (let round = 0; round < plan.rounds; round++) {
    for (const { factory, server } of started) {
      const tally = failures.get(factory.name) as CallFailures;
      const serverBefore = await server.cpuMicros();
      const clientBefore = process.cpuUsage();
      await withClient(factory, server, tally, async (client) => {
        const cell = await runFailingClosedLoop(echoCall(client, request), UNARY_SHAPE.inFlight, plan.round);
        rounds.get(factory.name)?.push(cell.result);
        tally.merge(cell.failures);
      });
      const client = process.cpuUsage(clientBefore);
      clientCpu.set(factory.name, (clientCpu.get(factory.name) ?? 0) + client.user + client.system);
      serverCpu.set(factory.name, (serverCpu.get(factory.name) ?? 0) + (await server.cpuMicros()) - serverBefore);
    }
  }
  return started.map(({ factory }) => {
    const results = rounds.get(factory.name) ?? [];
    const tally = failures.get(factory.name) as CallFailures;
    const result = results.length > 0 ? combineRounds(results, serverCpu.get(factory.name), clientCpu.get(factory.name)) : undefined;
    const rate = result ? `${Math.round(result.perSecond)} calls/s (rounds ${result.perRound.join(', ')})` : 'no round ran';
    log(`  large ${factory.name} unary 256 KiB x${UNARY_SHAPE.inFlight}: ${rate}, ${tally.count} failed${tally.first ? ` (first: ${tally.first})` : ''}`);
    return { peer: factory.name, ...UNARY_SHAPE, result, failures: tally };
  });
}

/** A warm-up stream, then the measured one, each on a fresh connection. */
async function measureStream({ factory, server }: StartedServer, log: (line: string) => void): Promise<LargeStreamCell> {
  const warmupFailures = new CallFailures();
  await withClient(factory, server, warmupFailures, async (client) => {
    warmupFailures.merge((await runStreamEcho(client, STREAM_WARMUP)).failures);
  });
  if (warmupFailures.first) log(`  large ${factory.name} stream warm-up failed: ${warmupFailures.first}`);
  const failures = new CallFailures();
  const serverBefore = await server.cpuMicros();
  const clientBefore = process.cpuUsage();
  let result: LargeStreamCell['result'];
  await withClient(factory, server, failures, async (client) => {
    result = await runStreamEcho(client, STREAM_SHAPE);
    failures.merge(result.failures);
  });
  const client = process.cpuUsage(clientBefore);
  const serverMicros = (await server.cpuMicros()) - serverBefore;
  const echoedMiB = result ? (result.echoedMessages * STREAM_SHAPE.messageBytes) / (1024 * 1024) : 0;
  const summary = result ? `${result.mibPerSecond.toFixed(1)} MiB/s, ${result.echoedMessages}/${result.sentMessages} echoed in ${result.seconds.toFixed(2)} s` : 'did not run';
  log(`  large ${factory.name} stream 1 MiB x${STREAM_SHAPE.maxMessages}: ${summary}${failures.first ? `, failed: ${failures.first}` : ''}`);
  return {
    peer: factory.name,
    messageBytes: STREAM_SHAPE.messageBytes,
    result,
    serverCpuMicrosPerMiB: serverMicros / echoedMiB,
    clientCpuMicrosPerMiB: (client.user + client.system) / echoedMiB,
    failures,
  };
}

/**
 * The head-of-line cell, in rounds the peers take turns in, each on a fresh connection: the baseline
 * calls, then the 64 MiB stream with 64 B calls beside it on the same client. Latencies are pooled
 * over the rounds (a round of a fast transfer holds few calls, too few for a p99 of its own).
 */
async function measureBesideBulk(started: readonly StartedServer[], plan: CellPlan, log: (line: string) => void): Promise<BesideBulkCell[]> {
  const bulkMiB = (STREAM_SHAPE.maxMessages * STREAM_SHAPE.messageBytes) / (1024 * 1024);
  const tallies = started.map(({ factory }) => ({ factory, beside: [] as number[], baseline: [] as number[], rates: [] as number[], failures: new CallFailures() }));
  for (let round = 0; round < plan.rounds; round++) {
    for (const [i, { factory, server }] of started.entries()) {
      const tally = tallies[i];
      await withClient(factory, server, tally.failures, async (client) => {
        const result = await runBesideBulkRound(client, STREAM_SHAPE, BESIDE_CALLS, BASELINE_CALLS);
        tally.beside.push(...result.beside.latenciesMs);
        tally.baseline.push(...result.baseline.latenciesMs);
        tally.rates.push(result.bulk.mibPerSecond);
        for (const part of [result.baseline.failures, result.bulk.failures, result.beside.failures]) tally.failures.merge(part);
      });
    }
  }
  return tallies.map(({ factory, beside, baseline, rates, failures }) => {
    const cell: BesideBulkCell = {
      peer: factory.name,
      payloadBytes: BESIDE_CALLS.payloadBytes,
      bulkMiB,
      bulkMibPerSecond: rates.length > 0 ? medianOf(rates) : NaN,
      rounds: rates.length,
      beside: summarizeLatencies(beside),
      baseline: summarizeLatencies(baseline),
      failures,
    };
    const ms = (value: number): string => `${value.toFixed(2)} ms`;
    log(
      `  large ${factory.name} 64 B beside ${bulkMiB} MiB: ${cell.beside.count} calls, p50 ${ms(cell.beside.p50Ms)} p99 ${ms(cell.beside.p99Ms)} ` +
        `max ${ms(cell.beside.maxMs)} (baseline p99 ${ms(cell.baseline.p99Ms)}), bulk ${cell.bulkMibPerSecond.toFixed(1)} MiB/s, ` +
        `${failures.count} failed${failures.first ? ` (first: ${failures.first})` : ''}`,
    );
    return cell;
  });
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Connects a client, runs `use`, closes it; a client that cannot connect is one failure of the cell. */
async function withClient(factory: LargePeerFactory, server: ServerProcess, failures: CallFailures, use: (client: LargeEchoClient) => Promise<void>): Promise<void> {
  let client: LargeEchoClient;
  try {
    client = await factory.connect(server.port);
  } catch (error) {
    failures.add(new Error(`client did not connect: ${(error as Error).message}`));
    return;
  }
  try {
    await use(client);
  } finally {
    await client.close().catch(() => undefined);
  }
}

function echoCall(client: LargeEchoClient, request: Buffer): () => Promise<void> {
  return async () => {
    const echoed = await client.echo(request);
    if (echoed.length !== request.length) throw new Error(`echo of ${echoed.length} bytes, expected ${request.length}`);
  };
}
