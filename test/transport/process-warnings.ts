// Records the process's warnings (TimeoutOverflowWarning, MaxListenersExceededWarning, ...) during a test.
import { runInThisContext } from 'node:vm';

/**
 * Jest gives each test file a copy of `process` with its own listeners, and Node emits warnings on the
 * real one: `process.on('warning')` in a test sees nothing. vm.runInThisContext evaluates in Node's own
 * context, whose `process` is the real one.
 */
const realProcess = runInThisContext('process') as NodeJS.Process;

export interface WarningRecorder {
  readonly warnings: Error[];
  /** Warnings named `name` recorded so far, after letting pending ones (emitted on the next tick) arrive. */
  named(name: string): Promise<Error[]>;
  stop(): void;
}

export function recordWarnings(): WarningRecorder {
  const warnings: Error[] = [];
  const listener = (warning: Error): void => void warnings.push(warning);
  realProcess.on('warning', listener);
  return {
    warnings,
    async named(name) {
      await new Promise((resolve) => setImmediate(resolve));
      return warnings.filter((warning) => warning.name === name);
    },
    stop: () => void realProcess.off('warning', listener),
  };
}
