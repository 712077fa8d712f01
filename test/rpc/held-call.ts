// A sleep handler that keeps its call in flight until the test releases it: "another call is in flight"
// without a fixed sleep that a loaded machine could outlast.
import type { Delay } from '../../generated/test/testing';
import type { CallContext } from '../../src';
import { aborted, deferred } from './harness';

export interface HeldSleep {
  /** The handler: resolves `running`, then answers once released (or fails when its call is cancelled). */
  sleep(request: Delay, context: CallContext): Promise<Delay>;
  /** Resolves when the handler has started, i.e. the call reached the server and is in flight. */
  running: Promise<void>;
  /** Lets every held call answer. */
  release(): void;
}

export function heldSleep(): HeldSleep {
  const running = deferred();
  const released = deferred();
  return {
    async sleep(request: Delay, context: CallContext): Promise<Delay> {
      running.resolve();
      await Promise.race([released.promise, aborted(context.signal).then((reason) => Promise.reject(reason))]);
      return request;
    },
    running: running.promise,
    release: () => released.resolve(),
  };
}
