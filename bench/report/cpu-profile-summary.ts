// `node dist/bench/report/cpu-profile-summary.js <file.cpuprofile> [top]`: self time per function and per file.
// Used on the server child's profile written under BENCH_CPU_PROF_DIR.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Self time (µs) per key, biggest first. */
function selfTimes(profile: CpuProfile, keyOf: (node: ProfileNode) => string): [string, number][] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node) return;
    const key = keyOf(node);
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return [...totals].sort((a, b) => b[1] - a[1]);
}

function shortUrl(url: string): string {
  if (url === '') return '(native)';
  const local = url.replace(/^file:\/\//, '');
  const at = local.search(/\/(src|bench|node_modules)\//);
  return at >= 0 ? local.slice(at + 1) : local;
}

function main(): void {
  const [file, topArg] = process.argv.slice(2);
  if (!file) throw new Error('usage: cpu-profile-summary <file.cpuprofile> [top]');
  const top = Number(topArg ?? 25);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const total = profile.timeDeltas.reduce((sum, delta) => sum + delta, 0);
  const print = (title: string, rows: [string, number][]): void => {
    console.log(`\n${title}`);
    for (const [key, micros] of rows.slice(0, top)) console.log(`${((100 * micros) / total).toFixed(1).padStart(5)}%  ${key}`);
  };
  console.log(`profile: ${(total / 1e6).toFixed(2)} s sampled`);
  print(
    'self time by function',
    selfTimes(profile, (n) => `${n.callFrame.functionName || '(anonymous)'}  ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`),
  );
  print(
    'self time by file',
    selfTimes(profile, (n) => shortUrl(n.callFrame.url)),
  );
}

main();
