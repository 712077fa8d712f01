// The rpc section's targets: framerpc's calls/s against NestJS and grpc-js, its p50 against NestJS's.
import { rpcTargetLines, type TargetCell } from '../../bench/rpc/rpc-targets';

const PEERS = { ours: 'framerpc', nest: 'NestJS TCP', grpc: 'gRPC (grpc-js)' };

function cell(peer: string, payloadBytes: number, inFlight: number, perSecond: number, p50Ms = 0.1): TargetCell {
  return { peer, payloadBytes, inFlight, result: { operations: 1, seconds: 1, perSecond, p50Ms, p99Ms: p50Ms, meanMs: p50Ms, allOperations: 1 } };
}

describe('rpc targets', () => {
  it('are met at the ratios of issue 12 and say so', () => {
    const cells = [
      cell('framerpc', 64, 256, 700_000),
      cell('NestJS TCP', 64, 256, 100_000),
      cell('gRPC (grpc-js)', 64, 256, 10_000),
      cell('framerpc', 4096, 256, 400_000),
      cell('NestJS TCP', 4096, 256, 100_000),
      cell('framerpc', 64, 1, 10_000, 0.05),
      cell('NestJS TCP', 64, 1, 10_000, 0.05),
    ];
    expect(rpcTargetLines(cells, PEERS)).toEqual([
      "target: framerpc >= 7x NestJS TCP's calls/s at 64 B x256 in flight: 7.00x -> met",
      "target: framerpc >= 60x gRPC (grpc-js)'s calls/s at 64 B x256 in flight: 70.00x -> met",
      "target: framerpc >= 4x NestJS TCP's calls/s at 4096 B x256 in flight: 4.00x -> met",
      "target: framerpc p50 at 64 B x1 in flight <= NestJS TCP's: 50 µs vs 50 µs -> met",
    ]);
  });

  it('are not met below the ratios, nor when a cell failed or is missing', () => {
    const cells: TargetCell[] = [
      cell('framerpc', 64, 256, 690_000),
      cell('NestJS TCP', 64, 256, 100_000),
      { peer: 'gRPC (grpc-js)', payloadBytes: 64, inFlight: 256, result: { error: 'did not start' } },
      cell('framerpc', 64, 1, 10_000, 0.06),
      cell('NestJS TCP', 64, 1, 10_000, 0.05),
    ];
    const lines = rpcTargetLines(cells, PEERS);
    expect(lines).toHaveLength(4);
    expect(lines.every((line) => line.endsWith('-> NOT met'))).toBe(true);
    expect(lines[1]).toContain('not measured');
    expect(lines[2]).toContain('not measured');
  });
});
