// `npm run build && node dist/examples/cluster/run.js [workers]`: one server process per core behind a
// round_robin channel, calls running while every worker is replaced in a rolling restart; none is lost.
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { EchoServiceDefinition } from '../../generated/echo/echo';
import { WorkerPool, createChannel, createClient, type RpcError } from '../../src';

export interface ClusterRunOptions {
  /** The worker script. Default worker.js beside this file. */
  workerModule?: string;
  /** Default os.availableParallelism(). */
  workers?: number;
  log?: (line: string) => void;
}

export interface ClusterRunResult {
  readonly calls: number;
  readonly failures: readonly string[];
  /** Calls answered, by worker pid. */
  readonly byPid: ReadonlyMap<number, number>;
  readonly pidsBefore: readonly number[];
  readonly pidsAfter: readonly number[];
}

/** Starts the pool, runs calls through a balanced channel during a rolling restart, and stops it all. */
export async function runCluster(options: ClusterRunOptions = {}): Promise<ClusterRunResult> {
  const log = options.log ?? console.log;
  const pool = await WorkerPool.start({ module: options.workerModule ?? path.join(__dirname, 'worker.js'), workers: options.workers ?? availableParallelism() });
  const pidsBefore = pool.workers.map((worker) => worker.pid);
  log(
    `primary: workers on ports ${pool
      .endpoints()
      .map((e) => e.port)
      .join(', ')}`,
  );
  // The channel follows the pool: re-resolved whenever a worker starts, drains or dies.
  const channel = createChannel({
    resolver: async () => pool.endpoints(),
    policy: 'round_robin',
    healthCheck: true,
    // Echo is not marked idempotent in echo.proto; it is safe to repeat, so say so here.
    retry: { safeMethods: ['/echo.v1.EchoService/Echo'] },
  });
  pool.on('endpoints', () => void channel.refresh());
  const client = createClient(EchoServiceDefinition, channel);
  await channel.connect();
  const byPid = new Map<number, number>();
  const failures: string[] = [];
  let calls = 0;
  let restarting = true;
  const callers = Array.from({ length: 4 }, async () => {
    while (restarting && calls < 20_000) {
      calls++;
      try {
        const reply = await client.echo({ text: `call ${calls}` }, { timeoutMs: 5000 });
        const pid = Number(/from pid (\d+)$/.exec(reply.text)?.[1]);
        byPid.set(pid, (byPid.get(pid) ?? 0) + 1);
      } catch (error) {
        failures.push((error as RpcError).message);
      }
    }
  });
  try {
    log('primary: rolling restart under load...');
    await pool.rollingRestart();
  } finally {
    restarting = false;
    await Promise.all(callers);
  }
  const pidsAfter = pool.workers.map((worker) => worker.pid);
  log(`primary: ${calls} calls, ${failures.length} failed; answered by ${[...byPid].map(([pid, n]) => `${pid}: ${n}`).join(', ')}`);
  log(`primary: workers now ${pidsAfter.join(', ')} (were ${pidsBefore.join(', ')})`);
  channel.close();
  await pool.close();
  return { calls, failures, byPid, pidsBefore, pidsAfter };
}

if (require.main === module) {
  const workers = process.argv[2] ? Number(process.argv[2]) : undefined;
  runCluster({ workers }).then(
    (result) => process.exit(result.failures.length === 0 ? 0 : 1),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
