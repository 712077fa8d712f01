// The large section's two tables, with the failed calls and the targets printed under them.
import type { CallFailures } from '../load/call-failures';
import type { RoundsResult } from '../load/rounds';
import { formatBytes, formatCpu, formatLatency, formatRate, formatRatio, formatSpread } from '../report/units';
import type { Table } from '../report/table';
import type { StreamResult } from './stream-echo';

const MIB = 1024 * 1024;
/** The peer names the tables look up (framerpc's figures are divided by grpc-js's). */
export const FRAMERPC = 'framerpc';
export const GRPC = 'gRPC (grpc-js)';
/** framerpc must reach this multiple of grpc-js in both tables. */
const TARGET_RATIO = 1.0;

/** The unary cell of one peer; `result` is undefined when no round ran (the server or client never came up). */
export interface LargeUnaryCell {
  readonly peer: string;
  readonly payloadBytes: number;
  readonly inFlight: number;
  readonly result: RoundsResult | undefined;
  readonly failures: CallFailures;
}

/** The stream cell of one peer; `result` is undefined when the stream never started. */
export interface LargeStreamCell {
  readonly peer: string;
  readonly messageBytes: number;
  readonly result: StreamResult | undefined;
  readonly serverCpuMicrosPerMiB: number;
  readonly clientCpuMicrosPerMiB: number;
  readonly failures: CallFailures;
}

export function unaryTable(cells: readonly LargeUnaryCell[]): Table {
  const rate = (cell: LargeUnaryCell | undefined): number => cell?.result?.perSecond ?? NaN;
  const ours = rate(cells.find((c) => c.peer === FRAMERPC));
  const shape = cells[0] ? `${formatBytes(cells[0].payloadBytes)} x ${cells[0].inFlight}` : '';
  return {
    title: 'Large unary: 256 KiB request and 256 KiB response, 64 calls in flight on one connection (separate processes; median of the rounds)',
    columns: ['framework', 'request', 'response', 'in flight', 'calls/s', 'spread', 'MiB/s each way', 'p50', 'p99', 'server CPU/call', 'client CPU/call', 'failed calls', 'framerpc vs this'],
    rows: cells.map((c) => {
      const r = c.result;
      return [
        c.peer,
        formatBytes(c.payloadBytes),
        formatBytes(c.payloadBytes),
        String(c.inFlight),
        r ? formatRate(r.perSecond) : '-',
        r ? formatSpread(r.spread) : '-',
        r ? ((r.perSecond * c.payloadBytes) / MIB).toFixed(1) : '-',
        r ? formatLatency(r.p50Ms) : '-',
        r ? formatLatency(r.p99Ms) : '-',
        r ? formatCpu(r.serverCpuMicrosPerOp) : '-',
        r ? formatCpu(r.clientCpuMicrosPerOp) : '-',
        formatRate(c.failures.count),
        formatRatio(ours / rate(c)),
      ];
    }),
    notes: [
      'failed calls: over every round, warm-up included; a failed call stops its caller (so a broken connection counts once per call in flight). MiB/s each way = calls/s x payload.',
      ...failureNotes(cells, 'calls'),
      target(`calls/s at ${shape}`, cells, rate),
    ],
  };
}

export function streamTable(cells: readonly LargeStreamCell[]): Table {
  const rate = (cell: LargeStreamCell | undefined): number => cell?.result?.mibPerSecond ?? NaN;
  const ours = rate(cells.find((c) => c.peer === FRAMERPC));
  const mib = (messages: number, c: LargeStreamCell): string => formatBytes(messages * c.messageBytes);
  return {
    title: 'Large bidi: one stream, up to 64 messages of 1 MiB sent while their echoes are read (separate processes; one measured stream)',
    columns: ['framework', 'message', 'sent', 'echoed', 'total time', 'MiB/s each way', 'server CPU/MiB', 'client CPU/MiB', 'failed', 'framerpc vs this'],
    rows: cells.map((c) => {
      const r = c.result;
      return [
        c.peer,
        formatBytes(c.messageBytes),
        r ? mib(r.sentMessages, c) : '-',
        r ? mib(r.echoedMessages, c) : '-',
        r ? `${r.seconds.toFixed(2)} s` : '-',
        r ? r.mibPerSecond.toFixed(1) : '-',
        formatCpu(c.serverCpuMicrosPerMiB),
        formatCpu(c.clientCpuMicrosPerMiB),
        c.failures.count > 0 ? 'yes' : 'no',
        formatRatio(ours / rate(c)),
      ];
    }),
    notes: [
      'total time: from the first message sent to the last echo received (or the failure); MiB/s each way = echoed MiB / total time.',
      ...failureNotes(cells, 'stream'),
      target('MiB/s on a 1 MiB bidi stream', cells, rate),
    ],
  };
}

export function failureNotes(cells: readonly { peer: string; failures: CallFailures }[], what: 'calls' | 'stream'): string[] {
  return cells.flatMap((c) => {
    if (c.failures.count === 0) return [];
    const count = what === 'calls' ? `${formatRate(c.failures.count)} failed calls` : 'the stream failed';
    const kinds = c.failures.byKind();
    const breakdown = kinds.length > 1 ? kinds.map(([description, n]) => `  ${formatRate(n)}x ${description}`) : [];
    return [`${c.peer}: ${count}, first: ${c.failures.first ?? 'no description'}`, ...breakdown];
  });
}

/** "target: framerpc >= 1.0x grpc-js <what>: 1.23x -> met"; never met while framerpc has failures. */
function target<C extends { peer: string; failures: CallFailures }>(what: string, cells: readonly C[], rate: (cell: C | undefined) => number): string {
  const ours = cells.find((c) => c.peer === FRAMERPC);
  const ratio = rate(ours) / rate(cells.find((c) => c.peer === GRPC));
  const failed = ours !== undefined && ours.failures.count > 0;
  const met = Number.isFinite(ratio) && ratio >= TARGET_RATIO && !failed;
  const why = failed ? ` (framerpc failed: ${ours.failures.byKind()[0]?.[0] ?? 'no description'})` : '';
  return `target: framerpc >= ${TARGET_RATIO.toFixed(1)}x grpc-js ${what}: ${formatRatio(ratio)} -> ${met ? 'met' : 'NOT met'}${why}`;
}
