// Per-message compression choices of messages waiting in the stream scheduler, so each leaves as chosen.
import type { CompressChoice } from '../codec/payload-codec';

export type { CompressChoice } from '../codec/payload-codec';

/** Tells which streams still have queued messages (the stream scheduler). */
export interface QueuedStreams {
  hasQueued(streamId: number): boolean;
}

/**
 * The choices of queued MESSAGEs, per stream and in order (the scheduler sends a stream's messages in
 * order; a fragment without MORE ends one). Every queued message is recorded, also without a choice, so
 * the lists stay aligned with the scheduler's queues; messages sent at once never touch it.
 */
export class QueuedCompression {
  private readonly streams = new Map<number, CompressChoice[]>();
  private pruneAt = 64;

  /** A message of `streamId` was queued with `choice`; `queued` tells which streams still have messages. */
  record(streamId: number, choice: CompressChoice, queued: QueuedStreams): void {
    let list = this.streams.get(streamId);
    if (!list) {
      // Streams dropped with messages still queued (cancelled calls) leave entries: forget them now and then.
      if (this.streams.size >= this.pruneAt) this.prune(queued);
      list = [];
      this.streams.set(streamId, list);
    }
    list.push(choice);
  }

  /** The choice for a MESSAGE fragment leaving on `streamId`; `last`: it ends its message. */
  take(streamId: number, last: boolean): CompressChoice {
    if (this.streams.size === 0) return undefined; // nothing queued: the common case, one check
    const list = this.streams.get(streamId);
    if (!list) return undefined;
    const choice = list[0];
    if (last) {
      list.shift();
      if (list.length === 0) this.streams.delete(streamId);
    }
    return choice;
  }

  /** Streams with queued messages recorded. */
  get streamCount(): number {
    return this.streams.size;
  }

  private prune(queued: QueuedStreams): void {
    for (const id of this.streams.keys()) if (!queued.hasQueued(id)) this.streams.delete(id);
    this.pruneAt = Math.max(64, 2 * this.streams.size);
  }
}
