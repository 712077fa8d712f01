// Runs the compiled load generator once against a server child and returns its parsed result.
import { execFile } from 'node:child_process';
import { parseLoadgenOutput, type LoadgenMode, type LoadgenResult } from './loadgen-result';

/** One run: what to drive and for how long. */
export interface LoadgenRun {
  readonly mode: LoadgenMode;
  readonly port: number;
  readonly connections: number;
  readonly depth: number;
  readonly payloadBytes: number;
  readonly warmupMs: number;
  readonly measureMs: number;
  /** Unary only: a `key:value` metadata entry sent with every call. Default none. */
  readonly metadata?: string;
  /** Unary only: the method path called. Default `/echo.v1.EchoService/Echo`. */
  readonly method?: string;
}

// Beyond its own warm-up and measurement the generator gets this long (connect, 5 s stall detection).
const EXTRA_MS = 15_000;

/** The generator's command-line arguments for `run`. */
export function loadgenArgs(run: LoadgenRun): string[] {
  const args = [
    `--mode=${run.mode}`,
    `--port=${run.port}`,
    `--connections=${run.connections}`,
    `--depth=${run.depth}`,
    `--payload=${run.payloadBytes}`,
    `--warmup=${run.warmupMs / 1000}`,
    `--seconds=${run.measureMs / 1000}`,
  ];
  if (run.metadata !== undefined) args.push(`--metadata=${run.metadata}`);
  if (run.method !== undefined) args.push(`--method=${run.method}`);
  return args;
}

/** Runs `binary` for `run`; rejects with the generator's own reason when it ended early. */
export function runLoadgen(binary: string, run: LoadgenRun): Promise<LoadgenResult> {
  const timeout = Math.ceil(run.warmupMs + run.measureMs + EXTRA_MS);
  return new Promise((resolve, reject) => {
    execFile(binary, loadgenArgs(run), { timeout, encoding: 'utf8' }, (error, stdout, stderr) => {
      let result: LoadgenResult;
      try {
        result = parseLoadgenOutput(stdout);
      } catch (parseError) {
        const why = error ? `${error.message.split('\n')[0]}${stderr ? `: ${stderr.trim().slice(0, 300)}` : ''}` : (parseError as Error).message;
        return reject(new Error(`loadgen ${run.mode}: ${why}`));
      }
      if (result.fatal !== null) return reject(new Error(`loadgen ${run.mode}: ${result.fatal}`));
      if (error) return reject(new Error(`loadgen ${run.mode}: ${error.message.split('\n')[0]}`));
      resolve(result);
    });
  });
}
