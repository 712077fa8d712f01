// One cell of the native section measured in rounds: the median round per metric, errors summed.
import type { LoadgenMode, LoadgenResult } from './loadgen-result';

/** N connections x D in flight, payload S. */
export interface NativeShape {
  readonly connections: number;
  readonly depth: number;
  readonly payloadBytes: number;
}

/** A cell's rounds combined. Latencies in µs; NaN when no round measured any. */
export interface NativeRounds {
  readonly framesPerSecond: number;
  readonly perRound: readonly number[];
  /** Half the max-min range of the rounds' rates, relative to the median (0.05 = ±5%). */
  readonly spread: number;
  readonly p50Us: number;
  readonly p90Us: number;
  readonly p99Us: number;
  /** The largest latency of any round. */
  readonly maxUs: number;
  readonly frames: number;
  /** Server CPU time per reply (µs) over every round, warm-up included; NaN when not measured. */
  readonly serverCpuMicrosPerFrame: number;
  /** The load generator's CPU time per reply (µs), the same way. */
  readonly clientCpuMicrosPerFrame: number;
  readonly errors: number;
  readonly firstError: string | null;
}

/** One measured cell, kept for the JSON output. */
export interface NativeCell {
  readonly mode: LoadgenMode;
  readonly shape: NativeShape;
  readonly result: NativeRounds | { readonly error: string };
}

function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const measured = (values: readonly (number | null)[]): number[] => values.filter((v): v is number => v !== null);

/** Combines the rounds of one cell (at least one); `serverCpuMicros` is the server's CPU time over all of them. */
export function combineNativeRounds(rounds: readonly LoadgenResult[], serverCpuMicros = NaN): NativeRounds {
  if (rounds.length === 0) throw new RangeError('combineNativeRounds needs at least one round');
  const rates = rounds.map((r) => r.framesPerSecond);
  const rate = median(rates);
  const maxima = measured(rounds.map((r) => r.maxUs));
  const allFrames = rounds.reduce((sum, r) => sum + r.allFrames, 0);
  const perFrame = (micros: number): number => (allFrames > 0 ? micros / allFrames : NaN);
  return {
    framesPerSecond: rate,
    perRound: rates.map(Math.round),
    spread: rate > 0 ? (Math.max(...rates) - Math.min(...rates)) / 2 / rate : NaN,
    p50Us: median(measured(rounds.map((r) => r.p50Us))),
    p90Us: median(measured(rounds.map((r) => r.p90Us))),
    p99Us: median(measured(rounds.map((r) => r.p99Us))),
    maxUs: maxima.length > 0 ? Math.max(...maxima) : NaN,
    frames: rounds.reduce((sum, r) => sum + r.frames, 0),
    serverCpuMicrosPerFrame: perFrame(serverCpuMicros),
    clientCpuMicrosPerFrame: perFrame(rounds.reduce((sum, r) => sum + r.cpuUs, 0)),
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    firstError: rounds.find((r) => r.firstError !== null)?.firstError ?? null,
  };
}
