// Many promises waiting for one event, settled by the one listener the owner keeps (never one listener each).

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * Waiters for the next occurrence of something (a connection opening, a state change). The owner calls
 * `resolveAll`/`rejectAll` from its own single event listener, so the number of listeners on its emitter
 * stays constant however many calls wait (no MaxListenersExceededWarning at 11 waiting calls).
 */
export class WaiterList<T> {
  /** Created by the first wait: most lists (one per connection) never have a waiter. */
  private waiters: Set<Waiter<T>> | undefined;

  /** Waiting now. */
  get size(): number {
    return this.waiters?.size ?? 0;
  }

  /** Resolves with the next `resolveAll` value; rejects on `rejectAll`, or with the signal's reason on abort. */
  wait(signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = { resolve, reject, signal, onAbort: undefined };
      const waiters = (this.waiters ??= new Set());
      if (signal) {
        waiter.onAbort = () => {
          waiters.delete(waiter);
          reject(signal.reason ?? new Error('aborted'));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      waiters.add(waiter);
    });
  }

  resolveAll(value: T): void {
    for (const waiter of this.take()) waiter.resolve(value);
  }

  rejectAll(error: unknown): void {
    for (const waiter of this.take()) waiter.reject(error);
  }

  private take(): Waiter<T>[] {
    if (this.waiters === undefined || this.waiters.size === 0) return [];
    const waiters = [...this.waiters];
    this.waiters = undefined;
    for (const waiter of waiters) if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
    return waiters;
  }
}
