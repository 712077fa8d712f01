// `balanced` section: unary calls through a round_robin channel over 2 server processes, then one is killed.
//   share phase: after 5000 warm-up calls, BALANCED_CALLS (default 20000) idempotent calls, 32 in flight: each endpoint's share
//   kill phase: BALANCED_KILL_SECONDS (default 2) of calls, one process SIGKILLed a third of the way in
import { WorkServiceDefinition } from '../../generated/test/balancing';
import { BalancedChannel } from '../../src/client/balancer/balanced-channel';
import { createClient } from '../../src/client/create-client';
import type { RpcError } from '../../src/rpc/rpc-error';
import { WorkerPool } from '../../src/cluster/worker-pool';
import { seconds } from '../config';
import { benchModule } from '../paths';
import { LatencyHistogram } from '../report/latency';
import type { Table } from '../report/table';
import { formatLatency, formatRate } from '../report/units';

const IN_FLIGHT = 32;
const WARMUP_CALLS = 5000;
const SHARE_TARGET = 0.5;
const SHARE_TOLERANCE = 0.05;
// A phase never runs longer than this, whatever the call count.
const MAX_PHASE_MS = 60_000;

/** What one phase measured. */
export interface PhaseResult {
  calls: number;
  failures: number;
  failureCodes: Record<string, number>;
  byServer: Record<string, number>;
  elapsedMs: number;
  p50Ms: number;
  p99Ms: number;
  retries: number;
}

/** Runs both phases on one pool of 2 workers; bounded in calls and time. */
export async function runBalancedUnary(progress: (line: string) => void): Promise<{ tables: Table[]; cells: unknown }> {
  const calls = callCount();
  const killMs = seconds('BALANCED_KILL_SECONDS', 2) * 1000;
  const pool = await WorkerPool.start({ module: benchModule('cluster/work-server'), workers: 2, respawn: false, drainGraceMs: 2000 });
  const channel = new BalancedChannel({
    resolver: async () => pool.endpoints(),
    policy: 'round_robin',
    healthCheck: true,
    reconnect: { initialDelayMs: 20, maxDelayMs: 500 },
    minResolveIntervalMs: 50,
    retry: { maxAttempts: 3, initialBackoffMs: 10, maxBackoffMs: 100 },
  });
  pool.on('endpoints', () => void channel.refresh());
  try {
    await channel.connect();
    await waitForReady(channel, 2);
    await runPhase(channel, { calls: WARMUP_CALLS, maxMs: MAX_PHASE_MS }); // JIT warm-up, not counted
    progress(`[balanced] share: ${calls} calls, ${IN_FLIGHT} in flight`);
    const share = await runPhase(channel, { calls, maxMs: MAX_PHASE_MS });
    progress(`[balanced] kill: ${killMs / 1000} s of calls, one of 2 processes killed after ${Math.round(killMs / 3)} ms`);
    const victim = pool.workers[0];
    const kill = await runPhase(channel, { calls: Infinity, maxMs: killMs, atMs: killMs / 3, at: () => process.kill(victim.pid, 'SIGKILL') });
    return balancedReport(share, kill);
  } finally {
    channel.close();
    await pool.close();
  }
}

function callCount(): number {
  const raw = process.env.BALANCED_CALLS;
  const count = raw ? Number(raw) : 20_000;
  if (!Number.isInteger(count) || count < 100 || count > 10_000_000) throw new TypeError(`BALANCED_CALLS must be an integer in [100, 10000000], got ${JSON.stringify(raw)}`);
  return count;
}

async function waitForReady(channel: BalancedChannel, count: number): Promise<void> {
  const until = Date.now() + 10_000;
  while (channel.endpointStates().filter((e) => e.state === 'ready').length < count) {
    if (Date.now() > until) throw new Error(`only ${channel.endpointStates().filter((e) => e.state === 'ready').length} of ${count} endpoints became ready`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** IN_FLIGHT callers of the idempotent Read until `calls` are made or `maxMs` passed; `at` runs at `atMs`. */
async function runPhase(channel: BalancedChannel, plan: { calls: number; maxMs: number; atMs?: number; at?: () => void }): Promise<PhaseResult> {
  const client = createClient(WorkServiceDefinition, channel);
  const latency = new LatencyHistogram();
  const result: PhaseResult = { calls: 0, failures: 0, failureCodes: {}, byServer: {}, elapsedMs: 0, p50Ms: NaN, p99Ms: NaN, retries: 0 };
  const retriesBefore = channel.retry?.stats.retries ?? 0;
  const started = performance.now();
  const timer = plan.at ? setTimeout(plan.at, plan.atMs ?? 0) : undefined;
  let made = 0;
  const caller = async (): Promise<void> => {
    while (made < plan.calls && performance.now() - started < plan.maxMs) {
      made++;
      const t0 = performance.now();
      try {
        const reply = await client.read({ key: 'k' }, { timeoutMs: 5000 });
        latency.record(performance.now() - t0);
        result.byServer[reply.server] = (result.byServer[reply.server] ?? 0) + 1;
      } catch (error) {
        result.failures++;
        const code = (error as RpcError).codeName ?? 'UNKNOWN';
        result.failureCodes[code] = (result.failureCodes[code] ?? 0) + 1;
      }
      result.calls++;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, caller));
  clearTimeout(timer);
  result.elapsedMs = performance.now() - started;
  result.p50Ms = latency.percentile(0.5);
  result.p99Ms = latency.percentile(0.99);
  result.retries = (channel.retry?.stats.retries ?? 0) - retriesBefore;
  return result;
}

/** The section's table and its two target lines (exported for its test). */
export function balancedReport(share: PhaseResult, kill: PhaseResult): { tables: Table[]; cells: unknown } {
  const servers = Object.keys(share.byServer).sort();
  const shares = servers.map((server) => share.byServer[server] / share.calls);
  const shareMet = servers.length === 2 && shares.every((s) => Math.abs(s - SHARE_TARGET) <= SHARE_TOLERANCE) && share.failures === 0;
  const row = (phase: string, r: PhaseResult): string[] => [
    phase,
    formatRate(r.calls),
    formatRate(r.calls / (r.elapsedMs / 1000)),
    formatLatency(r.p50Ms),
    formatLatency(r.p99Ms),
    Object.entries(r.byServer)
      .sort()
      .map(([server, n]) => `${server} ${((n / r.calls) * 100).toFixed(1)}%`)
      .join(', '),
    String(r.retries),
    String(r.failures),
  ];
  const failureNote = Object.keys(kill.failureCodes).length
    ? ` (${Object.entries(kill.failureCodes)
        .map(([code, n]) => `${n} ${code}`)
        .join(', ')})`
    : '';
  const table: Table = {
    title: `balanced: unary calls (idempotent Read) through a round_robin channel over 2 server processes, ${IN_FLIGHT} in flight`,
    columns: ['phase', 'calls', 'calls/s', 'p50', 'p99', 'share per endpoint', 'retries', 'failures'],
    rows: [row('both up', share), row('one killed', kill)],
    notes: [
      `target: each endpoint's share within ${SHARE_TARGET * 100}% ± ${SHARE_TOLERANCE * 100}%: ${shares.map((s) => `${(s * 100).toFixed(1)}%`).join(' / ')} -> ${shareMet ? 'met' : 'NOT met'}`,
      `target: 0 failed idempotent calls when one process is killed mid-run: ${kill.failures}${failureNote} -> ${kill.failures === 0 ? 'met' : 'NOT met'}`,
    ],
  };
  return { tables: [table], cells: { share, kill, shareMet, killMet: kill.failures === 0 } };
}
