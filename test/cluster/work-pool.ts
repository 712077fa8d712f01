// Shared by the worker-process tests: a pool of WorkService workers, a balanced channel over it, run counts.
import { WorkServiceDefinition } from '../../generated/test/balancing';
import { WorkerPool, createChannel, createClient, type BalancedChannel, type BalancedChannelOptions, type Client } from '../../src';
import { transpiledWorker } from './transpiled-worker';

export interface PoolUnderTest {
  readonly pool: WorkerPool;
  readonly channel: BalancedChannel;
  readonly client: Client<typeof WorkServiceDefinition>;
  /** Runs reported by every worker, by "method key". */
  readonly runs: Map<string, number>;
  close(): Promise<void>;
}

/** Starts `workers` WorkService processes and a round_robin channel that follows the pool's endpoints. */
export async function startPool(workers: number, options: { respawn?: boolean; channel?: Partial<BalancedChannelOptions> } = {}): Promise<PoolUnderTest> {
  const pool = await WorkerPool.start({
    module: transpiledWorker('bench/cluster/work-server.ts'),
    workers,
    respawn: options.respawn ?? false,
    drainGraceMs: 3000,
    env: { ...process.env, WORK_REPORT_RUNS: '1' },
  });
  const runs = new Map<string, number>();
  pool.on('message', (_worker, message) => {
    const { type, method, key } = message as { type: string; method: string; key: string };
    if (type === 'executed') runs.set(`${method} ${key}`, (runs.get(`${method} ${key}`) ?? 0) + 1);
  });
  const channel = createChannel({
    resolver: async () => pool.endpoints(),
    policy: 'round_robin',
    healthCheck: true,
    reconnect: { initialDelayMs: 10, maxDelayMs: 100, multiplier: 2, jitter: 0.2 },
    minResolveIntervalMs: 20,
    retry: { initialBackoffMs: 10, maxBackoffMs: 50 },
    ...options.channel,
  });
  pool.on('endpoints', () => void channel.refresh());
  await channel.connect();
  const client = createClient(WorkServiceDefinition, channel);
  return {
    pool,
    channel,
    client,
    runs,
    async close() {
      channel.close();
      await pool.close();
    },
  };
}

/** Waits until `condition()` holds, polling; fails after `timeoutMs` naming `what`. */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
