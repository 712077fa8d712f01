// Per-call flow control in bytes: a sender starts a message only while it has credit; the receiver grants as it consumes.

const MAX_CREDIT = 0x7fff_ffff;

/**
 * The sender's side of one call direction. A message may start while the credit is positive, and its
 * whole size is taken (the credit may go below zero): a message larger than the window still goes, and a
 * stream never has more than one window plus one message unconsumed at the receiver.
 */
export class SendWindow {
  private credit: number;
  private waiter: (() => void) | undefined;

  constructor(initialBytes: number) {
    this.credit = initialBytes;
  }

  /** True when a message may start now. */
  get canStart(): boolean {
    return this.credit > 0;
  }

  /** Takes the credit for a message of `bytes` (after `canStart`). */
  take(bytes: number): void {
    this.credit -= bytes;
  }

  /** Resolves when a message may start (or the call ended: check after). */
  waitToStart(): Promise<void> {
    if (this.credit > 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  grant(bytes: number): void {
    // Capped as the wire's u32 grants could otherwise grow it without bound (docs/protocol.md section 9).
    this.credit = Math.min(MAX_CREDIT, this.credit + bytes);
    if (this.credit > 0) this.wake();
  }

  /** Wakes a waiting sender so it can observe that the call ended. */
  release(): void {
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}

/** The receiver's side of one call direction: checks the sender kept to its credit, grants as consumed. */
export class ReceiveWindow {
  private allowance: number;
  private owed = 0;
  private readonly grantAt: number;

  /** `maxUngrantedBytes`: grant once this much (or a quarter of the window, if less) is owed. */
  constructor(windowBytes: number, maxUngrantedBytes: number) {
    this.allowance = windowBytes;
    this.grantAt = Math.min(maxUngrantedBytes, Math.max(1, windowBytes >> 2));
  }

  /** A message starts arriving; false when the sender had no credit left to start it. */
  startMessage(): boolean {
    return this.allowance > 0;
  }

  /** Bytes of a message arrived. */
  received(bytes: number): void {
    this.allowance -= bytes;
  }

  /** The application consumed a message of `bytes`; returns the credit to grant now (0 = not yet). */
  consumed(bytes: number): number {
    this.owed += bytes;
    if (this.owed < this.grantAt) return 0;
    const grant = this.owed;
    this.owed = 0;
    this.allowance += grant;
    return grant;
  }
}
