// Two small pieces of how a connection ends: waiting out in-flight work before closing, and the close a failed frame causes.
import { FrameError } from '../../codec/frame-error';
import { CloseCode } from '../../codec/wire';
import { clampTimerMs } from '../timer-limit';

/** Something that counts in-flight work and says 'idle' when the count returns to zero. */
interface WorkCounter {
  readonly workInFlight: number;
  once(event: 'idle', listener: () => void): unknown;
  off(event: 'idle', listener: () => void): unknown;
}

/** Calls `done` once: at once without work in flight, else on 'idle' or after `graceMs`, whichever comes first. */
export function afterWorkOrGrace(counter: WorkCounter, graceMs: number, done: () => void): void {
  if (counter.workInFlight === 0) {
    done();
    return;
  }
  const finish = (): void => {
    clearTimeout(timer);
    counter.off('idle', finish);
    done();
  };
  const timer = setTimeout(finish, clampTimerMs(graceMs)).unref();
  counter.once('idle', finish);
}

/**
 * The close code and reason for an error thrown while handling received bytes: a FrameError is the peer's
 * violation; anything else is our bug, closed as INTERNAL_ERROR and reported as a process warning.
 */
export function closeForFrameFailure(error: unknown): { code: CloseCode; reason: string } {
  if (error instanceof FrameError) return { code: error.closeCode, reason: error.message };
  process.emitWarning(`framerpc: frame handler threw: ${(error as Error)?.stack ?? String(error)}`);
  return { code: CloseCode.INTERNAL_ERROR, reason: 'internal error while handling a frame' };
}
