// The one JSON line bench/native/loadgen.c prints, parsed and checked into a typed result.

/** What the C load generator may run against. */
export type LoadgenMode = 'transport' | 'unary' | 'raw';

/** One run of the load generator: counts and rates over its measurement window, latencies in µs. */
export interface LoadgenResult {
  readonly mode: LoadgenMode;
  readonly connections: number;
  readonly depth: number;
  readonly payloadBytes: number;
  /** Length of the measurement window actually run. */
  readonly seconds: number;
  /** Replies (echoed frames, or calls ended by STATUS) in the measurement window. */
  readonly frames: number;
  readonly framesPerSecond: number;
  /** Latency percentiles from a log-bucketed histogram (~3% resolution); null when nothing was measured. */
  readonly p50Us: number | null;
  readonly p90Us: number | null;
  readonly p99Us: number | null;
  readonly maxUs: number | null;
  /** Replies in every phase, warm-up included. */
  readonly allFrames: number;
  /** The generator's own CPU time (user + system, µs) over the whole run. */
  readonly cpuUs: number;
  /** Wrong replies (bad status, wrong length, unknown id) that did not end the run. */
  readonly errors: number;
  readonly firstError: string | null;
  /** Why the run ended early (connection refused or closed, GOAWAY, stall); null when it ran to the end. */
  readonly fatal: string | null;
}

const MODES: readonly string[] = ['transport', 'unary', 'raw'];
const COUNTS = ['connections', 'depth', 'payloadBytes', 'frames', 'allFrames', 'errors'] as const;
const LATENCIES = ['p50Us', 'p90Us', 'p99Us', 'maxUs'] as const;

/**
 * Parses the load generator's output: the last non-empty line of `stdout` must be its JSON object.
 * Throws an Error naming the field when the line is missing or a field has the wrong type.
 */
export function parseLoadgenOutput(stdout: string): LoadgenResult {
  const line = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .pop();
  if (line === undefined) throw new Error('loadgen printed nothing');
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`loadgen printed a line that is not JSON: ${line.slice(0, 200)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('loadgen output is not a JSON object');
  const record = value as Record<string, unknown>;
  const field = (name: string, ok: (v: unknown) => boolean, expected: string): unknown => {
    if (!ok(record[name])) throw new Error(`loadgen output: ${name} must be ${expected}, got ${JSON.stringify(record[name])}`);
    return record[name];
  };
  const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  const isNonNegative = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  const isText = (v: unknown): boolean => v === null || typeof v === 'string';
  const mode = field('mode', (v) => typeof v === 'string' && MODES.includes(v), 'transport, unary or raw') as LoadgenMode;
  const counts = Object.fromEntries(COUNTS.map((name) => [name, field(name, isCount, 'a non-negative integer')])) as Record<(typeof COUNTS)[number], number>;
  const latencies = Object.fromEntries(LATENCIES.map((name) => [name, field(name, (v) => v === null || isNonNegative(v), 'null or a non-negative number')])) as Record<
    (typeof LATENCIES)[number],
    number | null
  >;
  return {
    mode,
    ...counts,
    ...latencies,
    seconds: field('seconds', isNonNegative, 'a non-negative number') as number,
    framesPerSecond: field('framesPerSecond', isNonNegative, 'a non-negative number') as number,
    cpuUs: field('cpuUs', isNonNegative, 'a non-negative number') as number,
    firstError: field('firstError', isText, 'null or a string') as string | null,
    fatal: field('fatal', isText, 'null or a string') as string | null,
  };
}
