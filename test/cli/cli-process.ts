// Runs the framerpc CLI as a child process, transpiled from src/ (no full build needed before the tests).
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const REPO = path.join(__dirname, '..', '..');
// Inside the repo, so the transpiled files find node_modules as the built ones do.
const CACHE = path.join(REPO, 'node_modules', '.cache');

/** Children running at once (the machine has two cores; a child mostly waits on its server). */
const MAX_CHILDREN = 4;

/** What can be run: the CLI, the echo example's standalone server, and a push node on Redis (test/push). */
const ENTRIES = [path.join('src', 'cli', 'main.ts'), path.join('examples', 'echo', 'serve.ts'), path.join('test', 'push', 'redis-node-process.ts')] as const;

/** The exit status and output of one CLI run. */
export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A transpiled copy of the CLI; `run` starts it as a child process. */
export interface CliUnderTest {
  run(args: readonly string[], options?: { stdin?: string; timeoutMs?: number }): Promise<CliResult>;
  /** Starts it without waiting (for long-running entries such as a server). */
  spawn(args: readonly string[]): ChildProcessByStdio<null, Readable, Readable>;
}

/**
 * Transpiles src/cli/main.ts, examples/echo/serve.ts and every repo file they import (types are checked by
 * `npm run typecheck`): the same JavaScript `npm run build` writes to dist/. The output is kept under
 * node_modules/.cache, named by a hash of the sources, so later runs with unchanged sources reuse it.
 */
export function prepareCli(entry: (typeof ENTRIES)[number] = ENTRIES[0]): CliUnderTest {
  // Every entry's files in one copy, so the test files that run different entries share it.
  const sources = reachableSources(ENTRIES);
  const hash = createHash('sha256');
  for (const [name, text] of sources) hash.update(name).update('\0').update(text).update('\0');
  const out = path.join(CACHE, `framerpc-cli-${hash.digest('hex').slice(0, 16)}`);
  if (!existsSync(out)) {
    // Node's own require, not jest's: ts-jest has already loaded the compiler in this worker, so this takes it
    // from Node's module cache instead of evaluating its 9 MB again inside the test's sandbox.
    const ts = createRequire(__filename)('typescript') as typeof import('typescript');
    const compilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      esModuleInterop: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
    };
    mkdirSync(CACHE, { recursive: true });
    const staging = mkdtempSync(path.join(CACHE, 'staging-'));
    for (const [name, text] of sources) {
      const { outputText } = ts.transpileModule(text, { compilerOptions, fileName: name });
      mkdirSync(path.join(staging, path.dirname(name)), { recursive: true });
      writeFileSync(path.join(staging, name.replace(/\.ts$/, '.js')), outputText);
    }
    try {
      renameSync(staging, out);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another test file got there first: same content
    }
    // Copies of older sources are of no further use.
    for (const entry of readdirSync(CACHE)) {
      if (entry.startsWith('framerpc-cli-') && path.join(CACHE, entry) !== out) rmSync(path.join(CACHE, entry), { recursive: true, force: true });
    }
  }
  const main = path.join(out, entry.replace(/\.ts$/, '.js'));
  // At most MAX_CHILDREN at once: a test file may start many runs together.
  let running = 0;
  const waiting: (() => void)[] = [];
  const slot = async (): Promise<void> => {
    while (running >= MAX_CHILDREN) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
  };
  const release = (): void => {
    running--;
    waiting.shift()?.();
  };
  const runOnce = (args: readonly string[], options: { stdin?: string; timeoutMs?: number }): Promise<CliResult> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [main, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 10_000);
      child.on('error', reject);
      child.on('close', (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr });
      });
      child.stdin.end(options.stdin ?? '');
    });
  return {
    run: async (args, options = {}) => {
      await slot();
      try {
        return await runOnce(args, options);
      } finally {
        release();
      }
    },
    spawn: (args) => spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }),
  };
}

/** `entries` and the repo files they import, transitively: relative path -> source text. */
function reachableSources(entries: readonly string[]): Map<string, string> {
  const sources = new Map<string, string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (sources.has(name)) continue;
    const text = readFileSync(path.join(REPO, name), 'utf8');
    sources.set(name, text);
    for (const match of text.matchAll(/(?:from|import|require\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = path.join(path.dirname(name), match[1]);
      const file = [`${target}.ts`, path.join(target, 'index.ts')].find((candidate) => existsSync(path.join(REPO, candidate)));
      if (file) queue.push(file);
    }
  }
  return sources;
}
