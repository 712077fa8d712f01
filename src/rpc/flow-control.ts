// Per-stream flow control in messages: a sender may have at most its credit of messages unacknowledged.
import type { FrameConnection } from '../transport/frame-connection';
import { FrameKind } from '../transport/wire';

/**
 * Credit each side starts with, per call and direction. The receiver grants more (WINDOW frame, u32
 * messages) as its application consumes messages, once half the window is consumed, so a fast producer
 * can never queue more than this many messages at a slow consumer.
 */
export const INITIAL_WINDOW_MESSAGES = 64;

/** The sender's side: waits for credit before each message. */
export class SendWindow {
  private credit = INITIAL_WINDOW_MESSAGES;
  private waiter: (() => void) | undefined;

  /** True when a message may be sent now (and takes one credit). */
  tryTake(): boolean {
    if (this.credit === 0) return false;
    this.credit--;
    return true;
  }

  /** Resolves when credit is available; `take` must be called after. */
  waitForCredit(): Promise<void> {
    if (this.credit > 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  grant(messages: number): void {
    this.credit += messages;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  /** Wakes a waiting sender so it can observe that the call ended. */
  release(): void {
    this.grant(0);
  }
}

/** The receiver's side: counts consumed messages and says when to grant more. */
export class ReceiveWindow {
  private outstanding = INITIAL_WINDOW_MESSAGES;
  private consumed = 0;

  /** A message arrived; false when the peer sent more than its credit. */
  receive(): boolean {
    if (this.outstanding === 0) return false;
    this.outstanding--;
    return true;
  }

  /** The application took a message; returns the credit to grant now (0 = not yet). */
  consume(): number {
    this.consumed++;
    if (this.consumed < INITIAL_WINDOW_MESSAGES / 2) return 0;
    const grant = this.consumed;
    this.consumed = 0;
    this.outstanding += grant;
    return grant;
  }
}

/** Sends a WINDOW frame granting `messages` more on stream `streamId` (u32 payload). */
export function sendWindowGrant(connection: FrameConnection, streamId: number, messages: number): void {
  const payload = Buffer.allocUnsafe(4);
  payload.writeUInt32BE(messages, 0);
  connection.send(FrameKind.WINDOW, 0, streamId, payload);
}
