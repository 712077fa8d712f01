// A worker process that dies unasked is replaced, and the balanced channel follows it to the replacement.
import { startPool, waitUntil } from './work-pool';

describe('WorkerPool respawn', () => {
  it('replaces a worker that dies unasked and reports it', async () => {
    const under = await startPool(1, { respawn: true });
    try {
      const { pool, client } = under;
      const [first] = pool.workers;
      const crashed = new Promise<[number, string | null]>((resolve) => pool.once('crash', (worker, _code, signal) => resolve([worker.pid, signal])));
      process.kill(first.pid, 'SIGKILL');
      expect(await crashed).toEqual([first.pid, 'SIGKILL']);
      await waitUntil(() => pool.workers.length === 1 && pool.workers[0].pid !== first.pid, 'a replacement is listening');
      // The channel follows: the call waits (waitForReady) for the replacement rather than failing.
      await expect(client.read({ key: 'after-respawn' }, { waitForReady: true, timeoutMs: 5000 })).resolves.toMatchObject({ executions: 1 });
    } finally {
      await under.close();
    }
  });
});
