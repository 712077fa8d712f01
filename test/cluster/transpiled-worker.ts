// Transpiles a worker entry (and every repo file it imports) to JavaScript that child processes can run.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const REPO = path.join(__dirname, '..', '..');
// Inside the repo, so the transpiled files find node_modules as the built ones do.
const CACHE = path.join(REPO, 'node_modules', '.cache');

/**
 * The path of `entry` (relative to the repo, e.g. 'bench/cluster/work-server.ts') as JavaScript, transpiled
 * as `npm run build` would (types are checked by the typecheck). Kept under node_modules/.cache, named by
 * a hash of the sources, so later runs with unchanged sources reuse it.
 */
export function transpiledWorker(entry: string): string {
  const sources = reachableSources(entry);
  const hash = createHash('sha256');
  for (const [name, text] of sources) hash.update(name).update('\0').update(text).update('\0');
  const prefix = `framerpc-worker-${path.basename(entry, '.ts')}-`;
  const out = path.join(CACHE, `${prefix}${hash.digest('hex').slice(0, 16)}`);
  if (!existsSync(out)) {
    // Node's own require: ts-jest already loaded the compiler in this worker.
    const ts = createRequire(__filename)('typescript') as typeof import('typescript');
    const compilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, esModuleInterop: true, experimentalDecorators: true, emitDecoratorMetadata: true };
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
    // Copies of this entry's older sources are of no further use.
    for (const name of readdirSync(CACHE)) {
      if (name.startsWith(prefix) && path.join(CACHE, name) !== out) rmSync(path.join(CACHE, name), { recursive: true, force: true });
    }
  }
  return path.join(out, entry.replace(/\.ts$/, '.js'));
}

/** `entry` and the repo files it imports, transitively: relative path -> source text. */
function reachableSources(entry: string): Map<string, string> {
  const sources = new Map<string, string>();
  const queue = [entry];
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
