// Sends flow-controlled messages: whole-message credit, 64 KiB fragments, streams served in turn.
import type { ConnectionFlow } from './connection-flow';
import type { MemoryBudget } from './memory-budget';
import { FRAGMENT_BYTES, FrameFlag, FrameKind } from '../codec/wire';

/** What the scheduler needs from its connection. */
export interface SchedulerHost {
  /** Queues one frame for the socket (the connection's own bound applies); `payload` may be kept by reference. */
  sendOwned(kind: number, flags: number, streamId: number, payload: Uint8Array): boolean;
  /** Bytes queued for the peer, ours plus the socket's. */
  readonly outboundBytes: number;
  /** Hands queued bytes to the socket; true when it asked to wait for 'drain' (the host pumps again then). */
  flushForDrain(): boolean;
}

interface QueuedMessage {
  readonly bytes: Uint8Array;
  offset: number;
  started: boolean;
  readonly endStream: boolean;
}

interface QueuedFrame {
  readonly kind: number;
  readonly flags: number;
  readonly payload: Uint8Array;
  /** Called once the frame was handed to the connection, or dropped with its stream. */
  readonly onSent: (() => void) | undefined;
}

type Item = QueuedMessage | QueuedFrame;

class StreamQueue {
  readonly items: Item[] = [];
  constructor(readonly id: number) {}
}

/** The scheduler's queues, made when the first message or frame has to wait (most connections never queue). */
class Queues {
  readonly streams = new Map<number, StreamQueue>();
  ring: StreamQueue[] = [];
  readonly creditWaiters: StreamQueue[] = [];
}

function isMessage(item: Item): item is QueuedMessage {
  return (item as QueuedMessage).bytes !== undefined;
}

/**
 * One per connection. A message starts only when the connection credit covers it whole (so partly sent
 * messages can never use up the peer's window between them and deadlock), and starts in the order the
 * messages asked (a large message is not starved by small ones). Started messages leave as fragments of
 * at most 64 KiB, one fragment per stream in turn, and only while the socket holds less than the high-water
 * mark: a 4 MiB reply never holds another call's small frames behind more than that. A frame sent on a
 * stream that has queued messages waits behind them, keeping each stream's frames in order. Messages
 * that fit go straight out (`trySendNow`) without being queued: the common small call costs nothing here.
 */
export class StreamScheduler {
  private queues: Queues | undefined;
  private pumping = false;
  private waitingForDrain = false;
  private queued = 0;
  private closed = false;

  constructor(
    private readonly host: SchedulerHost,
    private readonly flow: ConnectionFlow,
    /** Fragments of queued messages go out only while less than this is queued for the socket. */
    private readonly highWaterBytes: number,
    /** A message that fits one frame may skip the queue while less than this is queued (more slack: it is small). */
    private readonly inlineHighWaterBytes: number,
    /** Queued message bytes count as held in the budget (replies waiting for the peer's window). */
    private readonly budget: MemoryBudget | undefined,
  ) {}

  /** Message bytes queued and not yet handed to the connection. */
  get queuedBytes(): number {
    return this.queued;
  }

  /**
   * True (and the credit is taken) when a message of `bytes` on `streamId` may be written right now in a
   * single frame: nothing queued on that stream, nobody waiting for credit, credit for it, room below the
   * high-water mark.
   */
  trySendNow(streamId: number, bytes: number): boolean {
    const queues = this.queues;
    if (bytes > FRAGMENT_BYTES || (queues !== undefined && (queues.creditWaiters.length > 0 || queues.streams.has(streamId)))) return false;
    if (bytes > this.flow.sendCredit || this.host.outboundBytes >= this.inlineHighWaterBytes) return false;
    this.flow.sendCredit -= bytes;
    return true;
  }

  /** True when `streamId` has queued items (a frame for it must then go through `sendFrame`). */
  hasQueued(streamId: number): boolean {
    return this.queues?.streams.has(streamId) === true;
  }

  /** Queues a message for `streamId` as MESSAGE fragments; the last one carries END_STREAM when `endStream`. */
  queueMessage(streamId: number, bytes: Uint8Array, endStream: boolean): void {
    if (this.closed) return;
    this.queue(streamId).items.push({ bytes, offset: 0, started: false, endStream });
    this.queued += bytes.length;
    this.budget?.add(bytes.length);
    this.pump();
  }

  /**
   * Sends a frame on `streamId` now, or behind that stream's queued messages. `onSent` (for a frame that
   * waits) is called once it was handed over, or dropped with its stream.
   */
  sendFrame(streamId: number, kind: number, flags: number, payload: Uint8Array, onSent?: () => void): void {
    if (this.closed) {
      onSent?.();
      return;
    }
    const stream = this.queues?.streams.get(streamId);
    if (!stream) {
      this.host.sendOwned(kind, flags, streamId, payload);
      onSent?.();
      return;
    }
    stream.items.push({ kind, flags, payload, onSent });
  }

  /** Forgets everything queued for `streamId` (the call ended: cancelled, failed). */
  drop(streamId: number): void {
    const queues = this.queues;
    const stream = queues?.streams.get(streamId);
    if (!queues || !stream) return;
    queues.streams.delete(streamId);
    for (const item of stream.items) {
      if (isMessage(item)) this.unqueue(item.bytes.length - item.offset, item.started);
      else item.onSent?.();
    }
    queues.ring = queues.ring.filter((s) => s !== stream);
    const waiting = queues.creditWaiters.indexOf(stream);
    if (waiting >= 0) queues.creditWaiters.splice(waiting, 1);
    this.pump();
  }

  /** The connection closed: drop everything. */
  dispose(): void {
    this.closed = true;
    if (this.queues) for (const id of [...this.queues.streams.keys()]) this.drop(id);
  }

  /** Credit arrived or the socket drained: send what can go now. */
  pump(): void {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    try {
      this.run();
    } finally {
      this.pumping = false;
    }
  }

  /** The socket drained. */
  onDrain(): void {
    this.waitingForDrain = false;
    this.pump();
  }

  private run(): void {
    for (;;) {
      if (this.waitingForDrain) return;
      if (this.host.outboundBytes >= this.highWaterBytes) {
        if (this.host.flushForDrain()) {
          this.waitingForDrain = true;
          return;
        }
        if (this.host.outboundBytes >= this.highWaterBytes) return; // closing: nothing more goes out
      }
      const queues = this.queues;
      if (queues === undefined) return; // nothing ever queued
      this.startWaiters(queues);
      const stream = queues.ring.shift();
      if (!stream) return;
      const item = stream.items[0];
      if (isMessage(item)) {
        if (!item.started) {
          if (queues.creditWaiters.length > 0 || item.bytes.length > this.flow.sendCredit) {
            queues.creditWaiters.push(stream);
            continue;
          }
          this.flow.sendCredit -= item.bytes.length;
          item.started = true;
        }
        const end = Math.min(item.bytes.length, item.offset + FRAGMENT_BYTES);
        const more = end < item.bytes.length;
        const flags = more ? FrameFlag.MORE : item.endStream ? FrameFlag.END_STREAM : 0;
        const fragment = item.bytes.subarray(item.offset, end);
        this.unqueue(end - item.offset, false);
        item.offset = end;
        if (!more) stream.items.shift();
        if (!this.host.sendOwned(FrameKind.MESSAGE, flags, stream.id, fragment)) return;
      } else {
        stream.items.shift();
        const sent = this.host.sendOwned(item.kind, item.flags, stream.id, item.payload);
        item.onSent?.();
        if (!sent) return;
      }
      if (stream.items.length > 0) queues.ring.push(stream);
      else queues.streams.delete(stream.id);
    }
  }

  /** Starts waiting messages, first come first served, while the credit covers each whole. */
  private startWaiters(queues: Queues): void {
    const creditWaiters = queues.creditWaiters;
    while (creditWaiters.length > 0) {
      const stream = creditWaiters[0];
      const head = stream.items[0] as QueuedMessage;
      if (head.bytes.length > this.flow.sendCredit) return;
      creditWaiters.shift();
      this.flow.sendCredit -= head.bytes.length;
      head.started = true;
      queues.ring.push(stream);
    }
  }

  private queue(streamId: number): StreamQueue {
    const queues = (this.queues ??= new Queues());
    let stream = queues.streams.get(streamId);
    if (!stream) {
      stream = new StreamQueue(streamId);
      queues.streams.set(streamId, stream);
      queues.ring.push(stream);
    }
    return stream;
  }

  private unqueue(bytes: number, refundCredit: boolean): void {
    this.queued -= bytes;
    this.budget?.remove(bytes);
    if (refundCredit) {
      // A dropped message that had started keeps its credit spent: the peer counts only what arrives,
      // so what never left is credit this side may use again.
      this.flow.sendCredit += bytes;
    }
  }
}
