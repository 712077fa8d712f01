// The closed loop for calls that may fail: N callers, failures counted instead of ending the cell.
import { performance } from 'node:perf_hooks';
import type { CellTiming } from '../config';
import { CallFailures } from './call-failures';
import { cellDeadlineMs, Measurement, type CellResult } from './measurement';

/** A cell with calls still in flight and none completed for this long is abandoned as stalled. */
export const STALL_MS = 5000;

/** A cell's measurement and the calls that failed in it (warm-up included). */
export interface FailingCellResult {
  readonly result: CellResult;
  readonly failures: CallFailures;
}

/**
 * Keeps `inFlight` calls of `call` outstanding, as runClosedLoop does, but a failed call is counted and
 * stops its caller: a broken connection then costs one failure per caller, not a spin of fast failures
 * until the time bound. When every caller has stopped, the cell ends; its rate counts the whole window.
 * A stall (no completion for STALL_MS) or the cell deadline ends it too, as one more failure; calls
 * still in flight then are left to the client's close.
 */
export async function runFailingClosedLoop(call: () => Promise<unknown>, inFlight: number, timing: CellTiming): Promise<FailingCellResult> {
  const measurement = new Measurement(timing);
  const failures = new CallFailures();
  let settled = false;
  let running = 0;
  let lastProgress = performance.now();
  const caller = async (): Promise<void> => {
    let now = performance.now();
    while (!settled && measurement.tick(now)) {
      const started = now;
      running++;
      try {
        await call();
      } catch (error) {
        if (!settled) failures.add(error);
        return;
      } finally {
        running--;
      }
      now = performance.now();
      lastProgress = now;
      if (!settled) measurement.record(now - started);
    }
  };
  let watchdog: NodeJS.Timeout | undefined;
  let timer: NodeJS.Timeout | undefined;
  const abandoned = new Promise<void>((resolve) => {
    const abandon = (reason: string): void => {
      if (settled) return;
      settled = true;
      failures.add(new Error(reason));
      resolve();
    };
    timer = setTimeout(() => abandon(`cell did not finish within ${cellDeadlineMs(timing)} ms`), cellDeadlineMs(timing));
    watchdog = setInterval(() => {
      if (performance.now() - lastProgress > STALL_MS) abandon(`stalled: no call completed for ${STALL_MS / 1000} s (${running} in flight)`);
    }, 500);
  });
  try {
    await Promise.race([Promise.all(Array.from({ length: inFlight }, caller)), abandoned]);
  } finally {
    settled = true;
    clearTimeout(timer);
    clearInterval(watchdog);
  }
  measurement.abandon(performance.now());
  return { result: measurement.result(), failures };
}
