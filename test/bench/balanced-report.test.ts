// The balanced section's target lines: the share of each endpoint within 50% ± 5%, and no failed idempotent call.
import { balancedReport, type PhaseResult } from '../../bench/cluster/balanced-unary';

function phase(byServer: Record<string, number>, failures = 0): PhaseResult {
  const calls = Object.values(byServer).reduce((a, b) => a + b, 0) + failures;
  return { calls, failures, failureCodes: failures ? { UNAVAILABLE: failures } : {}, byServer, elapsedMs: 1000, p50Ms: 0.5, p99Ms: 3, retries: 2 };
}

const notes = (share: PhaseResult, kill: PhaseResult): readonly string[] => balancedReport(share, kill).tables[0].notes ?? [];

describe('balanced bench report', () => {
  it('meets both targets with an even share and no failure', () => {
    expect(notes(phase({ a: 5200, b: 4800 }), phase({ a: 9000, b: 1000 }))).toEqual([
      "target: each endpoint's share within 50% ± 5%: 52.0% / 48.0% -> met",
      'target: 0 failed idempotent calls when one process is killed mid-run: 0 -> met',
    ]);
  });

  it('misses them with an uneven share, one endpoint only, or failures', () => {
    expect(notes(phase({ a: 5600, b: 4400 }), phase({ a: 10 }, 3))).toEqual([
      "target: each endpoint's share within 50% ± 5%: 56.0% / 44.0% -> NOT met",
      'target: 0 failed idempotent calls when one process is killed mid-run: 3 (3 UNAVAILABLE) -> NOT met',
    ]);
    expect(notes(phase({ a: 100 }), phase({ a: 1 }))[0]).toMatch(/-> NOT met$/);
  });
});
