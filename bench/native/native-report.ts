// The native section's table and its targets: framerpc against raw merged node:net, driven by the C client.
import { formatLatency, formatRate, formatRatio, formatSpread } from '../report/units';
import type { Table } from '../report/table';
import type { LoadgenMode } from './loadgen-result';
import type { NativeCell, NativeRounds, NativeShape } from './native-rounds';

/** A target: framerpc's `mode` reaches `minRatio` x the raw echo's frames/s at `shape`. */
export interface NativeTarget {
  readonly mode: Exclude<LoadgenMode, 'raw'>;
  readonly shape: NativeShape;
  readonly minRatio: number;
}

/** From issue 12: what framerpc must reach next to its limit, the raw batched Node echo, in the same run. */
export const NATIVE_TARGETS: readonly NativeTarget[] = [
  { mode: 'unary', shape: { connections: 1, depth: 256, payloadBytes: 64 }, minRatio: 0.35 },
  { mode: 'transport', shape: { connections: 4, depth: 64, payloadBytes: 512 }, minRatio: 0.9 },
  { mode: 'transport', shape: { connections: 1, depth: 256, payloadBytes: 4096 }, minRatio: 0.9 },
];

const MODE_LABEL: Record<LoadgenMode, string> = { transport: 'transport echo', unary: 'unary echo', raw: 'raw merged echo' };

const sameShape = (a: NativeShape, b: NativeShape): boolean => a.connections === b.connections && a.depth === b.depth && a.payloadBytes === b.payloadBytes;

export const shapeLabel = (shape: NativeShape): string => `${shape.connections}x${shape.depth}`;

function find(cells: readonly NativeCell[], mode: LoadgenMode, shape: NativeShape): NativeCell | undefined {
  return cells.find((c) => c.mode === mode && sameShape(c.shape, shape));
}

function rounds(cell: NativeCell | undefined): NativeRounds | undefined {
  return cell && !('error' in cell.result) ? cell.result : undefined;
}

/** framerpc's rate over the raw echo's at the same shape; NaN when either is missing or failed. */
export function ratioToRaw(cells: readonly NativeCell[], mode: LoadgenMode, shape: NativeShape): number {
  const ours = rounds(find(cells, mode, shape));
  const raw = rounds(find(cells, 'raw', shape));
  return ours && raw && raw.framesPerSecond > 0 ? ours.framesPerSecond / raw.framesPerSecond : NaN;
}

/**
 * One `target: ... -> met` / `NOT met` line per target. A target is met only when both cells ran without
 * a wrong reply and the ratio reaches it; when the section could not run, every target is NOT met.
 */
export function targetLines(cells: readonly NativeCell[], skipped?: string): string[] {
  return NATIVE_TARGETS.map((target) => {
    const what = `target: native client, ${MODE_LABEL[target.mode]}, ${target.shape.connections} connection${target.shape.connections === 1 ? '' : 's'} x ${target.shape.depth} in flight, ${formatPayload(target.shape.payloadBytes)}: >= ${target.minRatio.toFixed(2)}x the raw merged echo's frames/s`;
    if (skipped !== undefined) return `${what}: - -> NOT met (${skipped})`;
    const ours = find(cells, target.mode, target.shape);
    const raw = find(cells, 'raw', target.shape);
    if (ours === undefined || raw === undefined) return `${what}: - -> NOT met (cell not measured)`;
    const failed = [ours, raw].find((c) => 'error' in c.result);
    if (failed !== undefined && 'error' in failed.result) return `${what}: - -> NOT met (error: ${failed.result.error})`;
    const wrong = (rounds(ours)?.errors ?? 0) + (rounds(raw)?.errors ?? 0);
    const ratio = ratioToRaw(cells, target.mode, target.shape);
    const met = wrong === 0 && ratio >= target.minRatio;
    return `${what}: ${formatRatio(ratio)} -> ${met ? 'met' : 'NOT met'}${wrong > 0 ? ` (${wrong} wrong replies)` : ''}`;
  });
}

function formatPayload(bytes: number): string {
  return bytes >= 1024 && bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} B`;
}

/** CPU µs without the unit, to fit three in a column: 0.594 -> "0.59", 23.4 -> "23.4", 131.2 -> "131". */
function micros(value: number): string {
  if (!Number.isFinite(value)) return '-';
  return value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : String(Math.round(value));
}

function latencyPair(result: NativeRounds | undefined): string {
  return result ? `${formatLatency(result.p50Us / 1000)} / ${formatLatency(result.p99Us / 1000)}` : '-';
}

/** The table: one row per shape, framerpc's two modes beside the raw echo of the same run. */
export function nativeTable(shapes: readonly NativeShape[], cells: readonly NativeCell[], skipped?: string): Table {
  const rows = shapes.map((shape) => {
    const transport = rounds(find(cells, 'transport', shape));
    const raw = rounds(find(cells, 'raw', shape));
    const unary = rounds(find(cells, 'unary', shape));
    const rate = (mode: LoadgenMode): string => {
      const cell = find(cells, mode, shape);
      if (cell === undefined) return '-';
      return 'error' in cell.result ? 'error' : formatRate(cell.result.framesPerSecond);
    };
    const spreads = [transport, raw, unary].map((r) => (r ? formatSpread(r.spread).replace('%', '') : '-')).join(' ');
    const serverCpu = [transport, raw, unary].map((r) => (r ? micros(r.serverCpuMicrosPerFrame) : '-')).join(' / ');
    return [
      shapeLabel(shape),
      formatPayload(shape.payloadBytes),
      rate('transport'),
      rate('raw'),
      formatRatio(ratioToRaw(cells, 'transport', shape)),
      rate('unary'),
      formatRatio(ratioToRaw(cells, 'unary', shape)),
      latencyPair(transport),
      latencyPair(raw),
      latencyPair(unary),
      `${spreads} %`,
      `${serverCpu} µs`,
    ];
  });
  const errors = cells.flatMap((c) => {
    const where = `${MODE_LABEL[c.mode]} ${shapeLabel(c.shape)} ${formatPayload(c.shape.payloadBytes)}`;
    if ('error' in c.result) return [`error in ${where}: ${c.result.error}`];
    return c.result.errors > 0 ? [`${c.result.errors} wrong replies in ${where}, first: ${c.result.firstError}`] : [];
  });
  return {
    title: 'Native client: C load generator (epoll), N connections x D in flight; framerpc next to raw merged node:net echo (median of the rounds)',
    columns: ['shape', 'payload', 'transport/s', 'raw/s', 'transport/raw', 'unary calls/s', 'unary/raw', 'transport p50/p99', 'raw p50/p99', 'unary p50/p99', 'spread t/r/u', 'server CPU/frame t/r/u'],
    rows,
    notes: [
      ...(skipped !== undefined ? [skipped] : []),
      'transport: framerpc FrameServer echoing DATA frames; raw: node:net echo, one write per read (the limit); unary: framerpc RpcServer, EchoService.Echo with the request inline.',
      "server CPU/frame: the server child's CPU time over the rounds (warm-up included) per reply; steadier than frames/s on a shared machine.",
      ...targetLines(cells, skipped),
      ...errors,
    ],
  };
}
