// The shared batches of the hub's current flush round, one per recipient set, kept right as memberships change.
import type { DeferredFlush, Delivery, SlowConsumer } from './fan-out';
import type { PushPolicy } from './push-options';
import type { MembershipListener, PushMember } from './push-registry';
import type { PushSource } from './push-source';
import type { PushHubStats } from './push-stats';
import { SharedBatch } from './shared-batch';

/**
 * A batch holds at most about this many bytes per encoding group (and a quarter of the policy's
 * maxPushBacklogBytes): the push that finds it this full queues it and starts the next one, and the
 * transport's early-flush threshold (flushThresholdBytes) writes it. A burst then reaches the sockets as
 * it grows, and bytes held for a round never refuse pushes to a peer that reads.
 */
export const MAX_BATCH_BYTES = 64 * 1024;

/**
 * @internal Broadcasts (to a topic's subscribers or a room) made while a delayed flush is pending go
 * into the round's batch for their recipient set (shared-batch.ts); `closeAll` queues them when the round
 * flushes. Membership changes reach the open batches at once: a new subscriber or room member takes the
 * next push, one that left takes no more, a closed connection is forgotten.
 */
export class SharedRound implements MembershipListener {
  private readonly batches = new Map<ReadonlySet<PushMember>, SharedBatch>();

  constructor(
    private readonly stats: PushHubStats,
    private readonly onSlow: (slow: SlowConsumer) => void,
  ) {}

  /** Adds a push for `recipients` (all subscribed to `source.path` when `room` is undefined) to its batch of `round`. */
  push(round: DeferredFlush, recipients: ReadonlySet<PushMember>, source: PushSource, room: string | undefined, policy: PushPolicy, except: PushMember | undefined): Delivery {
    let batch = this.batches.get(recipients);
    if (batch === undefined || batch.closed || batch.path !== source.path || !samePolicy(batch.policy, policy) || batch.bytes >= Math.min(MAX_BATCH_BYTES, policy.maxPushBacklogBytes / 4)) {
      batch?.close();
      batch = new SharedBatch(recipients, source.path, room, policy, round, this.stats, this.onSlow);
      this.batches.set(recipients, batch);
      for (const member of recipients) batch.admit(member);
    }
    return batch.push(source, except);
  }

  /** Queues every open batch's parts (the hub then flushes the round's connections). */
  closeAll(): void {
    for (const batch of this.batches.values()) batch.close();
    this.batches.clear();
  }

  subscribed(member: PushMember, topic: string): void {
    if (this.batches.size === 0) return;
    for (const batch of this.batches.values()) {
      if (!batch.closed && batch.path === topic && batch.recipients.has(member)) batch.admit(member);
    }
  }

  unsubscribed(member: PushMember, topic: string): void {
    if (member.batch?.path === topic) member.batch.detach(member);
  }

  joined(member: PushMember, _room: string, members: ReadonlySet<PushMember>): void {
    const batch = this.batches.get(members);
    if (batch !== undefined && !batch.closed) batch.admit(member);
  }

  left(member: PushMember, room: string): void {
    if (member.batch !== undefined && member.batch.room === room) member.batch.detach(member);
  }

  removed(member: PushMember): void {
    member.batch?.forget(member);
  }
}

function samePolicy(a: PushPolicy, b: PushPolicy): boolean {
  return a === b || (a.maxPushBacklogBytes === b.maxPushBacklogBytes && a.slowConsumer === b.slowConsumer);
}
