// The native bench's targets and table: ratios to the raw echo of the same run, met only without errors.
import { NATIVE_TARGETS, nativeTable, ratioToRaw, targetLines } from '../../bench/native/native-report';
import type { NativeCell, NativeRounds, NativeShape } from '../../bench/native/native-rounds';
import type { LoadgenMode } from '../../bench/native/loadgen-result';

const ROUNDS: NativeRounds = {
  framesPerSecond: 0,
  perRound: [],
  spread: 0.1,
  p50Us: 100,
  p90Us: 150,
  p99Us: 400,
  maxUs: 900,
  frames: 1,
  serverCpuMicrosPerFrame: 0.594,
  clientCpuMicrosPerFrame: 0.3,
  errors: 0,
  firstError: null,
};

function cell(mode: LoadgenMode, shape: NativeShape, framesPerSecond: number, errors = 0): NativeCell {
  return { mode, shape, result: { ...ROUNDS, framesPerSecond, errors, firstError: errors > 0 ? 'echo of 3 bytes, expected 64' : null } };
}

const [UNARY_TARGET, TRANSPORT_512, TRANSPORT_4K] = NATIVE_TARGETS.map((t) => t.shape);

/** Every target's cells, framerpc at `ratio` x a raw echo of 1,000,000 frames/s. */
function cellsAt(ratio: number): NativeCell[] {
  return NATIVE_TARGETS.flatMap((t) => [cell('raw', t.shape, 1_000_000), cell(t.mode, t.shape, ratio * 1_000_000)]);
}

describe('native targets', () => {
  it('are the three of issue 12', () => {
    expect(NATIVE_TARGETS.map((t) => [t.mode, t.shape.connections, t.shape.depth, t.shape.payloadBytes, t.minRatio])).toEqual([
      ['unary', 1, 256, 64, 0.35],
      ['transport', 4, 64, 512, 0.9],
      ['transport', 1, 256, 4096, 0.9],
    ]);
  });

  it('compare framerpc with the raw echo of the same shape', () => {
    const cells = [cell('raw', UNARY_TARGET, 2_000_000), cell('unary', UNARY_TARGET, 500_000), cell('raw', TRANSPORT_512, 1)];
    expect(ratioToRaw(cells, 'unary', UNARY_TARGET)).toBe(0.25);
    expect(ratioToRaw(cells, 'transport', TRANSPORT_512)).toBeNaN();
  });

  it('are met at or above their ratio and NOT met below it', () => {
    const met = targetLines(cellsAt(0.95));
    expect(met).toHaveLength(3);
    expect(met[0]).toBe("target: native client, unary echo, 1 connection x 256 in flight, 64 B: >= 0.35x the raw merged echo's frames/s: 0.95x -> met");
    expect(met[2]).toBe("target: native client, transport echo, 1 connection x 256 in flight, 4 KiB: >= 0.90x the raw merged echo's frames/s: 0.95x -> met");
    const notMet = targetLines(cellsAt(0.3));
    expect(notMet.every((line) => line.endsWith('0.30x -> NOT met'))).toBe(true);
  });

  it('are NOT met when a cell counted wrong replies, failed, or was never measured', () => {
    const wrong = cellsAt(1).map((c) => (c.mode === 'unary' ? cell('unary', c.shape, 1_000_000, 4) : c));
    expect(targetLines(wrong)[0]).toMatch(/1\.00x -> NOT met \(4 wrong replies\)$/);
    const failed = cellsAt(1).map((c): NativeCell => (c.mode === 'raw' && c.shape === TRANSPORT_4K ? { ...c, result: { error: 'loadgen raw: no reply for 5 s' } } : c));
    expect(targetLines(failed)[2]).toMatch(/-> NOT met \(error: loadgen raw: no reply for 5 s\)$/);
    expect(targetLines([])[1]).toMatch(/-> NOT met \(cell not measured\)$/);
  });

  it('are all NOT met, with the reason, when the section was skipped', () => {
    const reason = 'native section skipped: no C compiler (cc) found; install gcc';
    const lines = targetLines([], reason);
    expect(lines.every((line) => line.endsWith(`-> NOT met (${reason})`))).toBe(true);
    expect(nativeTable([UNARY_TARGET], [], reason).notes?.[0]).toBe(reason);
  });
});

describe('nativeTable', () => {
  it('prints one row per shape with both ratios and the latency pairs', () => {
    const table = nativeTable([UNARY_TARGET], [cell('transport', UNARY_TARGET, 900_000), cell('raw', UNARY_TARGET, 1_000_000), cell('unary', UNARY_TARGET, 400_000)]);
    expect(table.rows).toEqual([
      ['1x256', '64 B', '900,000', '1,000,000', '0.90x', '400,000', '0.40x', '100 µs / 400 µs', '100 µs / 400 µs', '100 µs / 400 µs', '±10 ±10 ±10 %', '0.59 / 0.59 / 0.59 µs'],
    ]);
  });

  it('marks a failed cell as error and lists its reason under the table', () => {
    const failed: NativeCell = { mode: 'unary', shape: UNARY_TARGET, result: { error: 'loadgen unary: the server sent GOAWAY code 13: flow control' } };
    const table = nativeTable([UNARY_TARGET], [cell('transport', UNARY_TARGET, 1), cell('raw', UNARY_TARGET, 1), failed]);
    expect(table.rows[0][5]).toBe('error');
    expect(table.rows[0][6]).toBe('-');
    expect(table.notes).toContain('error in unary echo 1x256 64 B: loadgen unary: the server sent GOAWAY code 13: flow control');
  });
});
