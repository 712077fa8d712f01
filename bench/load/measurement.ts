// The phases of one cell (warm-up, measurement, done) and what the measurement phase recorded.
import { performance } from 'node:perf_hooks';
import type { CellTiming } from '../config';
import { LatencyHistogram } from '../report/latency';

/** What one cell measured. Latencies in milliseconds. */
export interface CellResult {
  readonly operations: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  /** Completions in every phase (warm-up included), to relate the server's CPU time to. */
  readonly allOperations: number;
}

type Phase = 'warmup' | 'measure' | 'done';

/**
 * Counts completions and latencies only in the measurement phase. The load loop calls `tick(now)` after
 * each batch of completions and stops starting work once it returns false (time or count bound reached).
 */
export class Measurement {
  private readonly histogram = new LatencyHistogram();
  private phase: Phase = 'warmup';
  private readonly warmupEnd: number;
  private measureStart = 0;
  private measureEnd = 0;
  private endedAt = 0;
  private operations = 0;
  private allOperations = 0;

  constructor(
    private readonly timing: CellTiming,
    start = performance.now(),
  ) {
    this.warmupEnd = start + timing.warmupMs;
  }

  get done(): boolean {
    return this.phase === 'done';
  }

  /** `count` operations that took `ms` each completed now. */
  record(ms: number, count = 1): void {
    this.allOperations += count;
    if (this.phase !== 'measure') return;
    this.histogram.record(ms, count);
    this.operations += count;
  }

  /** Advances the phase at time `now`; true while new work may be started. */
  tick(now: number): boolean {
    if (this.phase === 'warmup') {
      if (now >= this.warmupEnd) {
        this.phase = 'measure';
        this.measureStart = now;
        this.measureEnd = now + this.timing.measureMs;
      }
    } else if (this.phase === 'measure' && (now >= this.measureEnd || this.operations >= this.timing.maxOperations)) {
      this.phase = 'done';
      this.endedAt = now;
    }
    return this.phase !== 'done';
  }

  /**
   * Ends the cell early because its load stopped (every caller failed). The window counts at its planned
   * length, so the rate is what the load achieved in the time it was given, not a rate over a lucky start.
   */
  abandon(now: number): void {
    if (this.phase === 'done') return;
    if (this.phase === 'warmup') this.measureStart = now;
    this.phase = 'done';
    this.endedAt = this.measureStart + this.timing.measureMs;
  }

  result(): CellResult {
    const seconds = (this.endedAt - this.measureStart) / 1000;
    return {
      operations: this.operations,
      seconds,
      perSecond: seconds > 0 ? this.operations / seconds : NaN,
      p50Ms: this.histogram.percentile(0.5),
      p99Ms: this.histogram.percentile(0.99),
      meanMs: this.histogram.mean(),
      allOperations: this.allOperations,
    };
  }
}

/** The longest a cell may take in total before it is abandoned as stuck. */
export function cellDeadlineMs(timing: CellTiming): number {
  return timing.warmupMs + timing.measureMs + 15_000;
}
