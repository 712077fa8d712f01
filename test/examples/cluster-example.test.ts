// The cluster example end to end: real worker processes, a rolling restart under load, no call lost.
import { runCluster } from '../../examples/cluster/run';
import { transpiledWorker } from '../cluster/transpiled-worker';

it('replaces every worker in a rolling restart while calls run, and loses none', async () => {
  const lines: string[] = [];
  const result = await runCluster({ workerModule: transpiledWorker('examples/cluster/worker.ts'), workers: 1, log: (line) => lines.push(line) });
  expect(result.failures).toEqual([]);
  expect(result.calls).toBeGreaterThan(0);
  expect(result.pidsAfter).toHaveLength(1);
  expect(result.pidsAfter.filter((pid) => result.pidsBefore.includes(pid))).toEqual([]);
  // One worker keeps the test fast (forks are the slow part); the old and the new one both answered calls.
  expect(result.byPid.size).toBe(2);
  expect(lines[0]).toMatch(/^primary: workers on ports \d+$/);
});
