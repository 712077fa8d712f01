// Frames waiting behind one being compressed off the event loop: released to the outbound queue in order.
import type { OutboundQueue } from './outbound-queue';

/** Told after held frames went to the queue (the connection pumps its scheduler again). */
export interface HeldFramesHost {
  heldReleased(): void;
}

/**
 * While a large payload deflates asynchronously, every frame written after it waits here (encoded, in
 * order) so the peer sees frames exactly in the order they were written. Held bytes count as outbound
 * bytes (admission and backpressure see them).
 */
export class HeldFrames {
  /** In write order; a slot without a frame is still deflating. */
  private items: { frame: Uint8Array | undefined }[] = [];
  private emptyWaiters: (() => void)[] = [];

  constructor(
    private readonly queue: OutboundQueue,
    private readonly host: HeldFramesHost,
  ) {}

  /** True while frames are held: new frames must be held too. */
  get active(): boolean {
    return this.items.length > 0;
  }

  /** Holds a frame ready now, behind those already held. */
  push(frame: Uint8Array): void {
    this.items.push({ frame });
    this.queue.heldBytes += frame.length;
  }

  /** Holds the place of a frame still deflating (`estimate` bytes, counted until it is known); returns its setter. */
  reserve(estimate: number): (frame: Uint8Array) => void {
    const slot: { frame: Uint8Array | undefined } = { frame: undefined };
    this.items.push(slot);
    this.queue.heldBytes += estimate;
    const base = this.items;
    return (frame) => {
      if (this.items !== base) return; // discarded meanwhile
      this.queue.heldBytes += frame.length - estimate;
      slot.frame = frame;
      this.release();
    };
  }

  /** Runs `action` once nothing is held (at once when nothing is). */
  afterEmpty(action: () => void): void {
    if (this.items.length === 0) action();
    else this.emptyWaiters.push(action);
  }

  /** The connection closed: forget everything held. */
  discard(): void {
    this.items = [];
    this.emptyWaiters = [];
    this.queue.heldBytes = 0;
  }

  private release(): void {
    let moved = false;
    while (this.items.length > 0 && this.items[0].frame !== undefined) {
      const frame = (this.items.shift() as { frame: Uint8Array }).frame;
      this.queue.heldBytes -= frame.length;
      if (frame.length > 0) this.queue.append(frame);
      moved = true;
    }
    if (!moved) return;
    if (this.items.length === 0) {
      const waiters = this.emptyWaiters;
      this.emptyWaiters = [];
      for (const waiter of waiters) waiter();
    }
    this.host.heldReleased();
  }
}
