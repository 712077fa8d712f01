// Compiles bench/native/loadgen.c with the system `cc` into a temporary directory, when there is a cc.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../paths';

/** The C source, read from the repository (the build does not copy it to dist/). */
export const LOADGEN_SOURCE = path.join(REPO_ROOT, 'bench/native/loadgen.c');

const COMPILE_TIMEOUT_MS = 60_000;

/** A compiled load generator; `dispose` removes its temporary directory. */
export interface CompiledLoadgen {
  readonly binary: string;
  dispose(): void;
}

/** Why the load generator could not be built: no compiler, or the compiler failed. */
export interface LoadgenUnavailable {
  readonly reason: string;
}

/** The path of `cc` as the shell finds it on `env`'s PATH (`command -v cc`), or undefined when there is none. */
export function findCompiler(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const found = spawnSync('/bin/sh', ['-c', 'command -v cc'], { encoding: 'utf8', env });
  const compiler = found.status === 0 ? found.stdout.trim() : '';
  return compiler === '' ? undefined : compiler;
}

/** Builds the load generator with `cc -O2` (found on `env`'s PATH); never throws, a failure comes back as a reason. */
export function compileLoadgen(env: NodeJS.ProcessEnv = process.env): Promise<CompiledLoadgen | LoadgenUnavailable> {
  return compileNative(LOADGEN_SOURCE, 'native section skipped', env);
}

/**
 * Builds one C file of bench/native with `cc -O2` into a temporary directory; never throws: a missing
 * compiler or a failed build comes back as a reason starting with `skipped`.
 */
export async function compileNative(source: string, skipped: string, env: NodeJS.ProcessEnv = process.env): Promise<CompiledLoadgen | LoadgenUnavailable> {
  const compiler = findCompiler(env);
  if (!compiler) return { reason: `${skipped}: no C compiler (cc) found; install gcc` };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'framerpc-loadgen-'));
  const dispose = (): void => rmSync(dir, { recursive: true, force: true });
  const binary = path.join(dir, path.basename(source, '.c'));
  return new Promise((resolve) => {
    execFile(compiler, ['-O2', '-o', binary, source], { timeout: COMPILE_TIMEOUT_MS }, (error, _stdout, stderr) => {
      if (!error) return resolve({ binary, dispose });
      dispose();
      resolve({ reason: `${skipped}: ${compiler} -O2 failed on ${source}: ${(stderr || error.message).trim().slice(0, 500)}` });
    });
  });
}
