// The large section's head-of-line table: 64 B calls beside a 64 MiB bidi transfer, and the target under it.
import type { CallFailures } from '../load/call-failures';
import { formatLatency, formatRate } from '../report/units';
import type { Table } from '../report/table';
import type { LatencySummary } from './calls-beside-bulk';
import { failureNotes, FRAMERPC, GRPC } from './large-tables';

/** framerpc's p99 of the small calls beside the transfer must stay under this. */
export const BESIDE_BULK_P99_TARGET_MS = 20;

/** The head-of-line cell of one peer, over every round; the latencies pooled over the rounds. */
export interface BesideBulkCell {
  readonly peer: string;
  readonly payloadBytes: number;
  /** MiB the bulk stream echoed per round (its size). */
  readonly bulkMiB: number;
  /** The median round's bulk MiB/s each way; NaN when no round ran. */
  readonly bulkMibPerSecond: number;
  readonly rounds: number;
  readonly beside: LatencySummary;
  readonly baseline: LatencySummary;
  /** The bulk streams' and the small calls' failures, baseline included. */
  readonly failures: CallFailures;
}

export function besideBulkTable(cells: readonly BesideBulkCell[]): Table {
  const first = cells[0];
  const shape = first ? `${first.payloadBytes} B calls beside a ${first.bulkMiB} MiB transfer` : 'small calls beside a transfer';
  return {
    title: `Head-of-line: ${shape} (1 MiB messages on one bidi stream), 1 call in flight, same connection (separate processes; rounds pooled)`,
    columns: ['framework', 'bulk MiB/s', 'calls beside', 'p50', 'p99', 'max', 'baseline calls', 'baseline p50', 'baseline p99', 'failed'],
    rows: cells.map((c) => [
      c.peer,
      Number.isFinite(c.bulkMibPerSecond) ? c.bulkMibPerSecond.toFixed(1) : '-',
      formatRate(c.beside.count),
      formatLatency(c.beside.p50Ms),
      formatLatency(c.beside.p99Ms),
      formatLatency(c.beside.maxMs),
      formatRate(c.baseline.count),
      formatLatency(c.baseline.p50Ms),
      formatLatency(c.baseline.p99Ms),
      formatRate(c.failures.count),
    ]),
    notes: [
      'calls beside: 64 B echo calls made one after another while the stream ran (at most 5000 or 20 s per round), latencies pooled over the rounds;',
      'baseline: the same calls on the same connection just before the stream. bulk MiB/s each way: median round, echoed MiB / stream time.',
      ...failureNotes(cells, 'calls'),
      besideBulkTarget(cells),
    ],
  };
}

/** "target: framerpc p99 of 64 B calls beside a 64 MiB transfer < 20 ms: 3.1 ms (grpc-js 9.2 ms) -> met". */
export function besideBulkTarget(cells: readonly BesideBulkCell[]): string {
  const ours = cells.find((c) => c.peer === FRAMERPC);
  const grpc = cells.find((c) => c.peer === GRPC);
  const p99 = ours?.beside.p99Ms ?? NaN;
  const failed = ours !== undefined && ours.failures.count > 0;
  const met = Number.isFinite(p99) && p99 < BESIDE_BULK_P99_TARGET_MS && !failed;
  const why = failed ? ` (framerpc failed: ${ours.failures.byKind()[0]?.[0] ?? 'no description'})` : '';
  const what = ours ? `${ours.payloadBytes} B calls beside a ${ours.bulkMiB} MiB transfer` : 'small calls beside a transfer';
  return `target: framerpc p99 of ${what} < ${BESIDE_BULK_P99_TARGET_MS} ms: ${formatLatency(p99)} (grpc-js ${formatLatency(grpc?.beside.p99Ms ?? NaN)}) -> ${met ? 'met' : 'NOT met'}${why}`;
}
