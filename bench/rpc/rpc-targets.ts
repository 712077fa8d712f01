// The rpc section's targets (issue 12): framerpc's calls/s against NestJS TCP and grpc-js, and its p50 at 1 in flight.
import type { CellResult } from '../load/measurement';
import { formatLatency, formatRatio } from '../report/units';

/** A measured cell as the targets see it: a result, or an error. */
export interface TargetCell {
  readonly peer: string;
  readonly payloadBytes: number;
  readonly inFlight: number;
  readonly result: CellResult | { readonly error: string };
}

/** The rows the targets compare: framerpc's and its two rivals'. */
export interface TargetPeers {
  readonly ours: string;
  readonly nest: string;
  readonly grpc: string;
}

/** framerpc's calls/s at least `minRatio` x the `peer` row's, at `payloadBytes` x `inFlight`. */
interface RateTarget {
  readonly peer: 'nest' | 'grpc';
  readonly payloadBytes: number;
  readonly inFlight: number;
  readonly minRatio: number;
}

const RATE_TARGETS: readonly RateTarget[] = [
  { peer: 'nest', payloadBytes: 64, inFlight: 256, minRatio: 7 },
  { peer: 'grpc', payloadBytes: 64, inFlight: 256, minRatio: 60 },
  { peer: 'nest', payloadBytes: 4096, inFlight: 256, minRatio: 4 },
];

/**
 * One `target: ... -> met` / `NOT met` line per target of issue 12. A target whose cells did not run (an
 * error, a peer that did not start) is NOT met. The p50 target's other half, "within 10% of the raw `net`
 * echo driven the same way", is the transport section's (its raw merged row at 64 B x1).
 */
export function rpcTargetLines(cells: readonly TargetCell[], peers: TargetPeers): string[] {
  const ours = peers.ours;
  const find = (peer: string, payloadBytes: number, inFlight: number): CellResult | undefined => {
    const cell = cells.find((c) => c.peer === peer && c.payloadBytes === payloadBytes && c.inFlight === inFlight);
    return cell && !('error' in cell.result) ? cell.result : undefined;
  };
  const lines = RATE_TARGETS.map((target) => {
    const peer = peers[target.peer];
    const what = `target: ${ours} >= ${target.minRatio}x ${peer}'s calls/s at ${target.payloadBytes} B x${target.inFlight} in flight`;
    const mine = find(ours, target.payloadBytes, target.inFlight);
    const theirs = find(peer, target.payloadBytes, target.inFlight);
    if (!mine || !theirs || theirs.perSecond === 0) return `${what}: not measured -> NOT met`;
    const ratio = mine.perSecond / theirs.perSecond;
    return `${what}: ${formatRatio(ratio)} -> ${ratio >= target.minRatio ? 'met' : 'NOT met'}`;
  });
  const what = `target: ${ours} p50 at 64 B x1 in flight <= ${peers.nest}'s`;
  const mine = find(ours, 64, 1);
  const nest = find(peers.nest, 64, 1);
  lines.push(!mine || !nest ? `${what}: not measured -> NOT met` : `${what}: ${formatLatency(mine.p50Ms)} vs ${formatLatency(nest.p50Ms)} -> ${mine.p50Ms <= nest.p50Ms ? 'met' : 'NOT met'}`);
  return lines;
}
