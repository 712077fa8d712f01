// Bench durations and bounds, from the environment, so a quick run and a careful run share the code.

/** How long and how much one measured cell may run. Every load loop stops at whichever bound comes first. */
export interface CellTiming {
  readonly warmupMs: number;
  readonly measureMs: number;
  /** Upper bound on completed operations in the measurement phase. */
  readonly maxOperations: number;
}

/** A cell's budget split into rounds, interleaved with the other peers of the row to cancel drift. */
export interface CellPlan {
  /** Timing of each round: a share of the cell's warm-up and measurement. */
  readonly round: CellTiming;
  readonly rounds: number;
}

/** A number of seconds from environment variable `name`, or `fallback` when unset. */
export function seconds(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > 600) {
    throw new TypeError(`${name} must be a number of seconds in (0, 600], got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** BENCH_SECONDS (default 2) of measurement after BENCH_WARMUP_SECONDS (default 0.5) of warm-up. */
export function cellTiming(): CellTiming {
  return {
    warmupMs: seconds('BENCH_WARMUP_SECONDS', 0.5) * 1000,
    measureMs: seconds('BENCH_SECONDS', 2) * 1000,
    maxOperations: 50_000_000,
  };
}

/** BENCH_ROUNDS (default 3) rounds per cell, sharing the cell's warm-up and measurement time. */
export function cellPlan(timing: CellTiming = cellTiming()): CellPlan {
  const raw = process.env.BENCH_ROUNDS;
  const rounds = raw ? Number(raw) : 3;
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new TypeError(`BENCH_ROUNDS must be an integer in [1, 20], got ${raw}`);
  return {
    rounds,
    round: { warmupMs: timing.warmupMs / rounds, measureMs: timing.measureMs / rounds, maxOperations: Math.ceil(timing.maxOperations / rounds) },
  };
}

/** Idle connections opened by the memory section: BENCH_IDLE_CONNECTIONS (default 10000). */
export function idleConnectionCount(): number {
  const raw = process.env.BENCH_IDLE_CONNECTIONS;
  const value = raw ? Number(raw) : 10_000;
  if (!Number.isInteger(value) || value < 1 || value > 15_000) {
    throw new TypeError(`BENCH_IDLE_CONNECTIONS must be an integer in [1, 15000] (each process needs one fd per connection), got ${raw}`);
  }
  return value;
}

/** BENCH_CPU_PROF_DIR: when set, framerpc server children run with --cpu-prof and write their profile there. */
export function cpuProfileDir(): string | undefined {
  return process.env.BENCH_CPU_PROF_DIR || undefined;
}
