// Combining the rounds of one cell: the median of each metric, and how far the rounds' throughput spread.
import type { CellResult } from './measurement';

/** A cell measured in several rounds. */
export interface RoundsResult extends CellResult {
  readonly rounds: number;
  /** Half the max-min range of the rounds' throughput, relative to the median (0.05 = ±5%). */
  readonly spread: number;
  readonly perRound: readonly number[];
  /** Server CPU time per operation (µs), over all rounds; NaN when not measured. */
  readonly serverCpuMicrosPerOp: number;
  /** The bench process's (client's) CPU time per operation (µs), over all rounds; NaN when not measured. */
  readonly clientCpuMicrosPerOp: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The median round per metric; operations and seconds are summed. */
export function combineRounds(results: readonly CellResult[], serverCpuMicros = NaN, clientCpuMicros = NaN): RoundsResult {
  const allOperations = results.reduce((sum, r) => sum + r.allOperations, 0);
  const rates = results.map((r) => r.perSecond);
  const rate = median(rates);
  return {
    operations: results.reduce((sum, r) => sum + r.operations, 0),
    seconds: results.reduce((sum, r) => sum + r.seconds, 0),
    perSecond: rate,
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    meanMs: median(results.map((r) => r.meanMs)),
    allOperations,
    rounds: results.length,
    spread: rate > 0 ? (Math.max(...rates) - Math.min(...rates)) / 2 / rate : NaN,
    perRound: rates.map(Math.round),
    serverCpuMicrosPerOp: serverCpuMicros / allOperations,
    clientCpuMicrosPerOp: clientCpuMicros / allOperations,
  };
}
