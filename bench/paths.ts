// Where the compiled bench lives and where the repository's own files are, from either.
import * as path from 'node:path';

/** dist/bench when compiled (children are forked from here), bench/ under a TS runner. */
export const BENCH_DIR = __dirname;

/** The repository root: two levels above dist/bench, one above bench/. */
export const REPO_ROOT = path.basename(path.dirname(__dirname)) === 'dist' ? path.resolve(__dirname, '../..') : path.resolve(__dirname, '..');

/** The compiled JS of a bench module, e.g. `benchModule('transport/raw-echo-server')`. */
export function benchModule(name: string): string {
  return path.join(BENCH_DIR, `${name}.js`);
}
