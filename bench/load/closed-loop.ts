// The RPC load driver: N callers, each starting its next call as soon as its last one completes.
import { performance } from 'node:perf_hooks';
import type { CellTiming } from '../config';
import { cellDeadlineMs, Measurement, type CellResult } from './measurement';

/**
 * Keeps `inFlight` calls of `call` outstanding until the measurement's time or count bound is reached,
 * timing each call from start to completion. A failed call fails the cell; a stuck one hits the deadline.
 */
export async function runClosedLoop(call: () => Promise<unknown>, inFlight: number, timing: CellTiming): Promise<CellResult> {
  const measurement = new Measurement(timing);
  const caller = async (): Promise<void> => {
    let now = performance.now();
    while (measurement.tick(now)) {
      const started = now;
      await call();
      now = performance.now();
      measurement.record(now - started);
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`cell did not finish within ${cellDeadlineMs(timing)} ms`)), cellDeadlineMs(timing));
  });
  try {
    await Promise.race([Promise.all(Array.from({ length: inFlight }, caller)), deadline]);
  } finally {
    clearTimeout(timer);
  }
  return measurement.result();
}
