// Worker processes (real forks): one server each on its own port behind a balanced channel; rolling restarts.
import type { RpcError } from '../../src';
import { startPool, waitUntil, type PoolUnderTest } from './work-pool';

describe('WorkerPool', () => {
  // One pool for both tests: forking is the slow part.
  let under: PoolUnderTest;
  beforeAll(async () => {
    under = await startPool(2);
  });
  afterAll(() => under.close());

  it('runs each worker on its own port; a round_robin channel over them spreads the calls evenly', async () => {
    const { pool, channel, client } = under;
    expect(pool.workers).toHaveLength(2);
    expect(new Set(pool.endpoints().map((e) => e.port)).size).toBe(2);
    await waitUntil(() => channel.endpointStates().filter((e) => e.state === 'ready').length === 2, 'both workers are ready');
    const counts = new Map<string, number>();
    for (let i = 0; i < 20; i++) {
      const reply = await client.read({ key: `r${i}` });
      counts.set(reply.server, (counts.get(reply.server) ?? 0) + 1);
    }
    expect([...counts.values()]).toEqual([10, 10]);
  });

  it('a rolling restart of every worker under load loses no call and runs none twice', async () => {
    const { pool, channel, client, runs } = under;
    await waitUntil(() => channel.endpointStates().filter((e) => e.state === 'ready').length === 2, 'both workers are ready');
    const before = new Set(pool.workers.map((w) => w.pid));
    let restarting = true;
    let sent = 0;
    const failures: RpcError[] = [];
    const keys: string[] = [];
    // 6 callers of the non-idempotent Charge, each call 5 ms on the server, bounded in count.
    const callers = Array.from({ length: 6 }, async (_, caller) => {
      while (restarting && sent < 4000) {
        const key = `c${caller}-${sent++}`;
        keys.push(key);
        await client.charge({ key, ms: 5 }).catch((error: RpcError) => failures.push(error));
      }
    });
    await waitUntil(() => sent >= 40, 'some calls were made');
    await pool.rollingRestart();
    restarting = false;
    await Promise.all(callers);
    expect(failures.map((f) => f.message)).toEqual([]);
    expect(pool.workers.map((w) => w.pid).filter((pid) => before.has(pid))).toEqual([]);
    await waitUntil(() => keys.every((key) => runs.has(`charge ${key}`)), 'every run was reported');
    expect(keys.filter((key) => runs.get(`charge ${key}`) !== 1)).toEqual([]);
  });
});
