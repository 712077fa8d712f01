// `npm run bench [-- section...]`: runs the selected sections and prints one plain-text table each.
//   transport  framerpc framed echo vs raw node:net echo peers
//   idle       server memory for 10,000 idle connections, framerpc vs raw node:net; then 50,000 (framerpc)
//   rpc        gRPC and NestJS TCP unary echo (the framerpc RPC row plugs in at rpc/peers.ts)
//   large      256 KiB unary calls x64 in flight, a 1 MiB-message bidi stream, 64 B calls beside it: framerpc vs grpc-js
//   broadcast  M clients x 1 msg/s, each message to all M: framerpc PushHub vs socket.io vs naive node:net
//   websocket  broadcast over WebSocket (framerpc vs socket.io, M=1000 ws clients) and unary calls over WebSocket vs TCP
//   native     a C load generator (built with the system cc) on framerpc transport echo and unary calls vs raw node:net
//   cluster    the broadcast test with M clients over 2 server processes joined by a redis-server: framerpc RedisPushBus vs socket.io redis-adapter;
//              then unary calls through a round_robin channel over 2 server processes, one killed mid-run (`balanced` runs this part alone)
// Env: BENCH_SECONDS (measurement per cell, default 2), BENCH_WARMUP_SECONDS (0.5), BENCH_ROUNDS (3),
//      BENCH_IDLE_CONNECTIONS (10000), BENCH_IDLE_LARGE_CONNECTIONS (50000), BENCH_CPU_PROF_DIR (profile the framerpc server), BENCH_JSON (write results).
//      broadcast: BROADCAST_CLIENTS ("100,1000,3000"), BROADCAST_SECONDS (20), BROADCAST_WARMUP_SECONDS (3),
//      BROADCAST_SERVERS (all), BROADCAST_TYPED_CLIENTS (10), BROADCAST_MAX_SERVER_RSS_MB (4096).
//      balanced: BALANCED_CALLS (20000), BALANCED_KILL_SECONDS (2).
//      websocket: WEBSOCKET_CLIENTS (1000), WEBSOCKET_SECONDS (10), WEBSOCKET_WARMUP_SECONDS (3).
//      cluster: CLUSTER_CLIENTS (1000), CLUSTER_NODES (2), CLUSTER_SECONDS (10), CLUSTER_WARMUP_SECONDS (3), REDIS_SERVER.
import { writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { broadcastPlan } from './broadcast/config';
import { runBalancedUnary } from './cluster/balanced-unary';
import { runBroadcastSection } from './broadcast/section';
import { clusterPlan } from './cluster/config';
import { runClusterSection } from './cluster/section';
import { cellPlan, cellTiming, idleConnectionCount } from './config';
import { runIdleSection } from './idle/section';
import { runLargeSection } from './large/section';
import { runNativeSection } from './native/section';
import { renderTable, type Table } from './report/table';
import { runRpcSection } from './rpc/section';
import { runTransportSection } from './transport/section';
import { runWebSocketSection, websocketBroadcastPlan } from './websocket/section';

interface SectionOutput {
  readonly tables: Table[];
  readonly cells: unknown;
}

const SECTIONS: Record<string, () => Promise<SectionOutput>> = {
  transport: () => runTransportSection(cellPlan(), progress),
  idle: () => runIdleSection(idleConnectionCount(), progress),
  rpc: () => runRpcSection(cellPlan(), progress),
  large: () => runLargeSection(cellPlan(), progress),
  broadcast: () => runBroadcastSection(broadcastPlan(), progress),
  websocket: () => runWebSocketSection(websocketBroadcastPlan(), cellPlan(), progress),
  cluster: () => runClusterAndBalanced(),
  native: () => runNativeSection(cellPlan(), progress),
  balanced: () => runBalancedUnary(progress),
};

/** The cluster section: cross-node broadcast through Redis, then balanced unary calls over 2 processes. */
async function runClusterAndBalanced(): Promise<SectionOutput> {
  const broadcast = await runClusterSection(clusterPlan(), progress);
  const balanced = await runBalancedUnary(progress);
  return { tables: [...broadcast.tables, ...balanced.tables], cells: { broadcast: broadcast.cells, balanced: balanced.cells } };
}

function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function main(): Promise<void> {
  const requested = process.argv.slice(2);
  const unknown = requested.filter((name) => !(name in SECTIONS));
  if (unknown.length > 0) {
    throw new Error(`unknown section ${unknown.join(', ')}: choose from ${Object.keys(SECTIONS).join(', ')} (none = all)`);
  }
  const selected = requested.length > 0 ? requested : Object.keys(SECTIONS);
  const timing = cellTiming();
  const { rounds } = cellPlan(timing);
  console.log(
    `framerpc bench: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, ` +
      `${timing.measureMs / 1000} s per cell after ${timing.warmupMs / 1000} s warm-up, in ${rounds} interleaved rounds`,
  );
  const results: Record<string, unknown> = {};
  for (const name of selected) {
    const started = Date.now();
    progress(`[${name}] running...`);
    const output = await SECTIONS[name]();
    results[name] = output.cells;
    for (const table of output.tables) console.log(`\n${renderTable(table)}`);
    progress(`[${name}] done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const jsonPath = process.env.BENCH_JSON;
  if (jsonPath) {
    writeFileSync(jsonPath, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, results }, null, 2)}\n`);
    progress(`results written to ${jsonPath}`);
  }
}

main().then(
  // Exit explicitly: a client library that keeps a handle open must not keep the bench alive.
  () => process.exit(0),
  (error: Error) => {
    console.error(error.stack ?? String(error));
    process.exit(1);
  },
);
