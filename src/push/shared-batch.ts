// One buffer per flush round and recipient set: the round's pushes encoded once, each recipient queued one view of it.
import { CloseCode, FrameKind } from '../codec/wire';
import { encodeFrame, type PayloadEncoding } from '../transport/shared-frame';
import type { DeferredFlush, Delivery, SlowConsumer } from './fan-out';
import type { PushPolicy } from './push-options';
import type { MemberBatch, PushMember } from './push-registry';
import type { PushSource } from './push-source';
import type { PushHubStats } from './push-stats';

// A batch's buffer starts this large (small: a room of two costs little) and doubles as pushes fill it.
const INITIAL_BYTES = 1024;

// A seat's state: taking the batch's pushes, refused them until the batch ends (fell behind), or out.
const TAKING = 0;
const REFUSED = 1;
const GONE = 2;

/** The batch's frames as encoded for one group of connections alike (compression threshold, obfuscation, codec). */
class SharedFrames {
  bytes: Buffer = Buffer.allocUnsafeSlow(INITIAL_BYTES);
  length = 0;
  /** The seats that view these frames. */
  readonly seats: number[] = [];
  /** The lowest `limit` of its taking seats (or lower): a frame ending past it is refused to someone. */
  minLimit = Number.POSITIVE_INFINITY;

  constructor(readonly encoding: PayloadEncoding) {}

  /** True when a connection with `encoding` gets the very same bytes. */
  fits(encoding: PayloadEncoding): boolean {
    return encoding.compressMinBytes === this.encoding.compressMinBytes && sameCodec(encoding, this.encoding);
  }

  append(frame: Buffer): void {
    const end = this.length + frame.length;
    if (end > this.bytes.length) {
      // Views already queued keep the old buffer alive; seats still to be queued read from the new one.
      const grown = Buffer.allocUnsafeSlow(Math.max(end, this.bytes.length * 2));
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    frame.copy(this.bytes, this.length);
    this.length = end;
  }
}

function sameCodec(a: PayloadEncoding, b: PayloadEncoding): boolean {
  return a.xorKey === b.xorKey && a.compressor === b.compressor && a.compressionLevel === b.compressionLevel;
}

/**
 * @internal The pushes of one flush round to one recipient set (a topic's subscribers, or a room's members
 * on one topic), in one buffer per encoding group. A recipient joins the batch once per round (its backlog
 * checked then: its `limit` is where, in the buffer, it would pass maxPushBacklogBytes) and each push costs
 * O(1) whatever the recipient count; when the round ends each recipient is queued one view of the buffer
 * (`sendEncoded`, no copy), counted in its outbound bytes like any frame. A recipient whose limit a push
 * would pass is refused that push and the rest of the batch (counted, reported once); `except` and pushes
 * outside the batch first queue the recipient's part so far, so every connection gets its pushes in order.
 */
export class SharedBatch implements MemberBatch {
  /** Pushes made into the batch. */
  private pushes = 0;
  private taking = 0;
  private refused = 0;
  private readonly groups: SharedFrames[] = [];
  // Per seat, by seat index: who, its group, where its unqueued part starts (bytes, pushes), its limit, its state.
  private readonly members: PushMember[] = [];
  private readonly groupOf: number[] = [];
  private readonly starts: number[] = [];
  private readonly froms: number[] = [];
  private readonly limits: number[] = [];
  private readonly states: number[] = [];
  /** Set once the batch was queued to its recipients; later pushes to its set start a new batch. */
  closed = false;

  constructor(
    readonly recipients: ReadonlySet<PushMember>,
    readonly path: string,
    readonly room: string | undefined,
    readonly policy: PushPolicy,
    private readonly round: DeferredFlush,
    private readonly stats: PushHubStats,
    private readonly onSlow: (slow: SlowConsumer) => void,
  ) {}

  /** The largest group's bytes so far. */
  get bytes(): number {
    let most = 0;
    for (const group of this.groups) most = Math.max(most, group.length);
    return most;
  }

  /** Seats a recipient from the next push on (if it is open and subscribed to the batch's topic). */
  admit(member: PushMember): void {
    const connection = member.connection;
    if (member.batch === this || !connection.writable || !member.topics.has(this.path)) return;
    // A connection takes pushes from one batch at a time, so its frames keep their order.
    member.batch?.close();
    let index = this.groups.findIndex((group) => group.fits(connection.encoding));
    if (index < 0) index = this.groups.push(new SharedFrames(connection.encoding)) - 1;
    const group = this.groups[index];
    const seat = this.members.push(member) - 1;
    const limit = group.length + this.policy.maxPushBacklogBytes - connection.outboundBytes;
    this.groupOf.push(index);
    this.starts.push(group.length);
    this.froms.push(this.pushes);
    this.limits.push(limit);
    this.states.push(TAKING);
    group.seats.push(seat);
    group.minLimit = Math.min(group.minLimit, limit);
    this.taking++;
    member.batch = this;
    member.batchSeat = seat;
    if (member.flushRound !== this.round.round) {
      member.flushRound = this.round.round;
      this.round.members.push(member);
    }
  }

  /** Adds one push for every seated recipient but `except`; O(1) in the recipient count unless one falls behind. */
  push(source: PushSource, except: PushMember | undefined): Delivery {
    const delivery: Delivery = { sent: 0, dropped: 0, published: false };
    if (this.taking + this.refused === 0) return delivery;
    const frames = this.encode(source.payload());
    const exceptSeat = except !== undefined && except.batch === this ? except.batchSeat : -1;
    const exceptState = exceptSeat < 0 ? GONE : this.states[exceptSeat];
    if (exceptState === TAKING) {
      this.settleSeat(exceptSeat);
      this.limits[exceptSeat] += frames[this.groupOf[exceptSeat]].length; // it skips this frame
    }
    let disconnected = 0;
    for (let i = 0; i < this.groups.length; i++) {
      const group = this.groups[i];
      const end = group.length + frames[i].length;
      if (end > group.minLimit) disconnected += this.refuseOver(group, end);
    }
    for (let i = 0; i < this.groups.length; i++) this.groups[i].append(frames[i]);
    if (exceptState === TAKING) {
      this.starts[exceptSeat] = this.groups[this.groupOf[exceptSeat]].length;
      this.froms[exceptSeat] = this.pushes + 1;
    } else if (exceptState === REFUSED) {
      this.froms[exceptSeat]++; // not refused this one: it was not for it
    }
    this.pushes++;
    delivery.sent = this.taking - (exceptState === TAKING ? 1 : 0);
    delivery.dropped = this.refused - (exceptState === REFUSED ? 1 : 0) + disconnected;
    this.stats.sent += delivery.sent;
    this.stats.dropped += delivery.dropped;
    return delivery;
  }

  settle(member: PushMember): void {
    if (member.batch === this && this.states[member.batchSeat] === TAKING) this.settleSeat(member.batchSeat);
  }

  detach(member: PushMember): void {
    if (member.batch !== this) return;
    this.settle(member);
    this.leave(member.batchSeat);
  }

  forget(member: PushMember): void {
    if (member.batch === this) this.leave(member.batchSeat);
  }

  pendingSent(member: PushMember): number {
    return member.batch === this && this.states[member.batchSeat] === TAKING ? this.pushes - this.froms[member.batchSeat] : 0;
  }

  pendingDropped(member: PushMember): number {
    return member.batch === this && this.states[member.batchSeat] === REFUSED ? this.pushes - this.froms[member.batchSeat] : 0;
  }

  /** Queues every recipient's part (deferred: the hub's round flush writes them) and ends the batch. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (let seat = 0; seat < this.members.length; seat++) {
      const state = this.states[seat];
      if (state === GONE) continue;
      if (state === TAKING) this.settleSeat(seat);
      this.leave(seat);
    }
  }

  /** One frame per group for this payload, encoded once per variant and codec. */
  private encode(payload: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    for (let i = 0; i < this.groups.length; i++) {
      const encoding = this.groups[i].encoding;
      const compressed = payload.length >= encoding.compressMinBytes;
      let j = 0;
      while (j < i && (payload.length >= this.groups[j].encoding.compressMinBytes !== compressed || !sameCodec(this.groups[j].encoding, encoding))) j++;
      if (j < i) {
        frames.push(frames[j]);
      } else {
        frames.push(encodeFrame(FrameKind.PUSH, 0, 0, payload, encoding));
        this.stats.framesEncoded++;
      }
    }
    return frames;
  }

  /** Queues a taking seat's part so far: one view of the group's buffer; the seat goes on after it. */
  private settleSeat(seat: number): void {
    const group = this.groups[this.groupOf[seat]];
    const start = this.starts[seat];
    const count = this.pushes - this.froms[seat];
    this.starts[seat] = group.length;
    this.froms[seat] = this.pushes;
    if (count === 0) return;
    const member = this.members[seat];
    if (member.connection.sendEncoded(group.bytes.subarray(start, group.length), true)) {
      member.sent += count;
    } else {
      // Closing, or past the transport's bound (which closes it): what was counted sent was not.
      member.dropped += count;
      this.stats.sent -= count;
      this.stats.dropped += count;
    }
  }

  /** Refuses the push ending at `end` (and the rest of the batch) to every taking seat of `group` it would put past its limit. */
  private refuseOver(group: SharedFrames, end: number): number {
    const { maxPushBacklogBytes, slowConsumer } = this.policy;
    let lowest = Number.POSITIVE_INFINITY;
    let disconnected = 0;
    for (const seat of group.seats) {
      if (this.states[seat] !== TAKING) continue;
      if (this.limits[seat] >= end) {
        lowest = Math.min(lowest, this.limits[seat]);
        continue;
      }
      this.settleSeat(seat);
      const member = this.members[seat];
      const connection = member.connection;
      const backlog = connection.outboundBytes;
      const disconnect = slowConsumer === 'disconnect';
      if (disconnect) {
        this.leave(seat);
        member.dropped++;
        disconnected++;
        this.stats.slowDisconnects++;
        connection.close(
          CloseCode.OUTBOUND_OVERFLOW,
          `fell behind on pushes: ${backlog} bytes unsent, past maxPushBacklogBytes (${maxPushBacklogBytes}) at ${this.path}; read faster or subscribe to less`,
        );
      } else {
        this.states[seat] = REFUSED;
        this.taking--;
        this.refused++;
      }
      this.onSlow({ connectionId: member.id, topic: this.path, room: this.room, backlogBytes: backlog, maxPushBacklogBytes, action: disconnect ? 'disconnected' : 'dropped' });
    }
    group.minLimit = lowest;
    return disconnected;
  }

  /** Takes a seat out; a refused one's pushes are counted dropped now. */
  private leave(seat: number): void {
    const member = this.members[seat];
    const state = this.states[seat];
    if (state === TAKING) this.taking--;
    else if (state === REFUSED) {
      this.refused--;
      member.dropped += this.pushes - this.froms[seat];
    }
    this.states[seat] = GONE;
    if (member.batch === this) member.batch = undefined;
  }
}
