// Connection-level flow control in bytes: the credit this side may spend, and the credit it grants back.
import { FrameError } from '../codec/frame-error';
import type { BudgetWaiter, MemoryBudget } from './memory-budget';
import { CloseCode, MAX_UNGRANTED_BYTES } from '../codec/wire';

const MAX_WINDOW = 0x7fff_ffff;

/** Where the connection's grants go: a WINDOW frame on stream 0 (the connection itself, no closure per flow). */
export interface WindowSender {
  sendWindow(streamId: number, bytes: number): void;
}

/**
 * Both directions of one connection's window. Sending: `sendCredit` is what the peer still lets this side
 * send; the stream scheduler spends it, WINDOW frames on stream 0 add to it. Receiving: the peer may send
 * at most the credit granted; bytes count as held from arrival until the application layer releases them
 * (a call finished with its request, a stream message consumed), and released bytes are granted back,
 * batched, unless the shared memory budget is exhausted: then grants wait, and so does the peer.
 */
export class ConnectionFlow implements BudgetWaiter {
  /** Bytes of messages this side may still send before the peer grants more. */
  sendCredit: number;
  private allowance: number;
  private owed = 0;
  private heldBytes = 0;
  private readonly grantAt: number;
  private disposed = false;

  constructor(
    /** This side's receive window (what it announced in its preface). */
    readonly window: number,
    /** The peer's receive window: this side's initial send credit. */
    readonly peerWindow: number,
    private readonly budget: MemoryBudget | undefined,
    private readonly grants: WindowSender,
  ) {
    this.sendCredit = peerWindow;
    this.allowance = window;
    this.grantAt = Math.min(MAX_UNGRANTED_BYTES, Math.max(1, window >> 2));
  }

  /** Bytes received and not yet released. */
  get held(): number {
    return this.heldBytes;
  }

  /** What the peer may still send before it needs more credit. */
  get peerAllowance(): number {
    return this.allowance;
  }

  /** The largest message the peer's window can ever take whole: a sender never starts a bigger one. */
  get maxSendableMessage(): number {
    return this.peerWindow - Math.min(MAX_UNGRANTED_BYTES, Math.max(1, this.peerWindow >> 2));
  }

  /** Flow-controlled bytes arrived; a peer past its credit broke the protocol. */
  received(bytes: number): void {
    this.allowance -= bytes;
    if (this.allowance < 0) {
      throw new FrameError(CloseCode.FLOW_CONTROL_ERROR, `the peer sent ${-this.allowance} bytes past the connection window it was granted (${this.window} bytes)`);
    }
    this.heldBytes += bytes;
    this.budget?.add(bytes);
  }

  /** The application layer let go of `bytes` received earlier: grant them back (batched). */
  release(bytes: number): void {
    if (bytes <= 0 || this.disposed) return;
    this.heldBytes -= bytes;
    this.budget?.remove(bytes);
    this.owed += bytes;
    if (this.owed >= this.grantAt) this.grant();
  }

  /** The peer granted `bytes` more (WINDOW on stream 0). */
  granted(bytes: number): void {
    this.sendCredit += bytes;
    if (this.sendCredit > MAX_WINDOW) {
      throw new FrameError(CloseCode.FLOW_CONTROL_ERROR, `connection window grant overflows 2^31-1 (credit ${this.sendCredit})`);
    }
  }

  onBudgetAvailable(): void {
    if (!this.disposed) this.grant();
  }

  /** The connection closed: what it held leaves the budget. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.budget?.forget(this);
    this.budget?.remove(this.heldBytes);
    this.heldBytes = 0;
  }

  private grant(): void {
    if (this.owed === 0) return;
    if (this.budget?.exhausted) {
      this.budget.wait(this);
      return;
    }
    const bytes = this.owed;
    this.owed = 0;
    this.allowance += bytes;
    this.grants.sendWindow(0, bytes);
  }
}
