// The large bench's failure accounting: a failing closed loop counts failures and ends by itself.
import { CallFailures, describeFailure } from '../../bench/load/call-failures';
import { runFailingClosedLoop } from '../../bench/load/failing-closed-loop';
import { RpcError, Status } from '../../src';

const LONG_CELL = { warmupMs: 0, measureMs: 10_000, maxOperations: 1_000_000 };

describe('runFailingClosedLoop', () => {
  it('counts one failure per caller and ends as soon as every caller has stopped', async () => {
    const started = Date.now();
    const { result, failures } = await runFailingClosedLoop(() => Promise.reject(new RpcError(Status.UNAVAILABLE, 'connection closed')), 8, LONG_CELL);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(failures.count).toBe(8);
    expect(failures.first).toBe('UNAVAILABLE: connection closed');
    expect(result.operations).toBe(0);
    // The window counts at its planned length, so the rate is 0, not NaN.
    expect(result.perSecond).toBe(0);
  });

  it('keeps the successful callers going after some fail, up to the count bound', async () => {
    let calls = 0;
    const call = async (): Promise<void> => {
      const nth = ++calls;
      await Promise.resolve();
      if (nth <= 2) throw new Error(`early failure ${nth}`);
    };
    const { result, failures } = await runFailingClosedLoop(call, 4, { ...LONG_CELL, maxOperations: 500 });
    expect(failures.count).toBe(2);
    expect(failures.first).toBe('early failure 1');
    expect(result.operations).toBeGreaterThanOrEqual(500);
    expect(result.operations).toBeLessThan(510);
  });
});

describe('CallFailures', () => {
  it('keeps the first description and a bounded count per distinct one', () => {
    const failures = new CallFailures();
    for (let i = 0; i < 6; i++) failures.add(new Error(`kind ${i}`));
    failures.add(new Error('kind 0'));
    expect(failures.count).toBe(7);
    expect(failures.first).toBe('kind 0');
    expect(failures.byKind()).toEqual([
      ['kind 0', 2],
      ['kind 1', 1],
      ['kind 2', 1],
      ['kind 3', 1],
      ['(other)', 2],
    ]);
  });

  it('merges another tally, keeping its own first failure first', () => {
    const cell = new CallFailures();
    cell.add(new Error('second cell'));
    const total = new CallFailures();
    total.add(new Error('first cell'));
    total.merge(cell);
    expect(total.count).toBe(2);
    expect(total.first).toBe('first cell');
  });

  it('names the status once, whether or not the message already does', () => {
    expect(describeFailure(new RpcError(Status.UNAVAILABLE, 'gone'))).toBe('UNAVAILABLE: gone');
    const named = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 });
    expect(describeFailure(named)).toBe('14 UNAVAILABLE: No connection established');
  });
});
