// Bytes that calls hold across a server's connections, against one limit: past it, no peer is granted more credit.
import { FramerpcOptionError } from '../errors';

/** A connection whose credit grants wait for the budget. */
export interface BudgetWaiter {
  onBudgetAvailable(): void;
}

/**
 * Counts bytes held for calls (requests received and not finished, replies waiting for the peer's
 * window) across every connection that shares it. While the count is at or over `limitBytes`, those
 * connections stop granting their peers credit: the peers wait, and reading carries on (a peer cannot
 * send past the credit it has). One per server by default; a process normally runs one server.
 */
export class MemoryBudget {
  private heldBytes = 0;
  private readonly waiters = new Set<BudgetWaiter>();

  constructor(readonly limitBytes: number) {
    if (!Number.isInteger(limitBytes) || limitBytes <= 0) throw new FramerpcOptionError('maxHeldBytes', `memory budget (maxHeldBytes) must be a positive integer of bytes, got ${limitBytes}`);
  }

  /** Bytes held now. */
  get held(): number {
    return this.heldBytes;
  }

  get exhausted(): boolean {
    return this.heldBytes >= this.limitBytes;
  }

  add(bytes: number): void {
    this.heldBytes += bytes;
  }

  remove(bytes: number): void {
    this.heldBytes -= bytes;
    if (this.waiters.size > 0 && this.heldBytes < this.limitBytes) this.wake();
  }

  /** Calls `waiter.onBudgetAvailable()` once the budget has room again. */
  wait(waiter: BudgetWaiter): void {
    this.waiters.add(waiter);
  }

  forget(waiter: BudgetWaiter): void {
    this.waiters.delete(waiter);
  }

  private wake(): void {
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const waiter of waiting) {
      if (this.exhausted) {
        this.waiters.add(waiter);
        continue;
      }
      waiter.onBudgetAvailable();
    }
  }
}
