// Who gets what: each connection's topics and rooms, indexed both ways. Pure bookkeeping, no sockets.
import type { PushConnection } from './connection-directory';

/**
 * @internal The open shared batch of the current flush round a member is queued in (shared-batch.ts):
 * what the hub and the registry may ask of it about one member.
 */
export interface MemberBatch {
  readonly path: string;
  readonly room: string | undefined;
  /** Queues the member's part of the batch so far; it goes on taking the batch's later pushes. */
  settle(member: PushMember): void;
  /** Queues the member's part and takes it out of the batch (it unsubscribed or left the room). */
  detach(member: PushMember): void;
  /** Takes the member out without queuing anything (its connection closed). */
  forget(member: PushMember): void;
  /** Queues every member's part and ends the batch (one of them is wanted by another batch). */
  close(): void;
  /** Pushes of the batch counted for the member but not yet in its `sent` and `dropped`. */
  pendingSent(member: PushMember): number;
  pendingDropped(member: PushMember): number;
}

/** @internal Told of every membership change, after it happened (the hub's shared round keeps its batches right). */
export interface MembershipListener {
  subscribed(member: PushMember, topic: string, subscribers: ReadonlySet<PushMember>): void;
  unsubscribed(member: PushMember, topic: string): void;
  joined(member: PushMember, room: string, members: ReadonlySet<PushMember>): void;
  left(member: PushMember, room: string): void;
  removed(member: PushMember): void;
}

/** One connection known to a hub: what it subscribed to and joined, and what it was sent (framerpc's own, not exported from the package root). */
export class PushMember {
  readonly topics = new Set<string>();
  readonly rooms = new Set<string>();
  sent = 0;
  dropped = 0;
  /** @internal The hub's flush round this member was last queued in (see PushHubOptions.flushDelayMs). */
  flushRound = 0;
  /** @internal The shared batch it is queued in this round, and its seat there. */
  batch: MemberBatch | undefined = undefined;
  batchSeat = 0;

  constructor(readonly connection: PushConnection) {}

  get id(): number {
    return this.connection.id;
  }
}

const NONE: ReadonlySet<PushMember> = new Set();

/**
 * @internal Subscriptions and room memberships. Every set is removed once empty, so memory is bounded by
 * what open connections hold (and that by maxTopicsPerConnection / maxRoomsPerConnection).
 */
export class PushRegistry {
  private readonly members = new Map<number, PushMember>();
  private readonly subscribers = new Map<string, Set<PushMember>>();
  private readonly rooms = new Map<string, Set<PushMember>>();

  constructor(private readonly listener?: MembershipListener) {}

  get memberCount(): number {
    return this.members.size;
  }

  get roomCount(): number {
    return this.rooms.size;
  }

  get topicCount(): number {
    return this.subscribers.size;
  }

  member(id: number): PushMember | undefined {
    return this.members.get(id);
  }

  /** The member for an open connection, created on first use. */
  memberFor(connection: PushConnection): PushMember {
    let member = this.members.get(connection.id);
    if (!member) {
      member = new PushMember(connection);
      this.members.set(connection.id, member);
    }
    return member;
  }

  /** Connections subscribed to `topic`. */
  subscribersOf(topic: string): ReadonlySet<PushMember> {
    return this.subscribers.get(topic) ?? NONE;
  }

  /** Connections in `room`. */
  membersOf(room: string): ReadonlySet<PushMember> {
    return this.rooms.get(room) ?? NONE;
  }

  roomNames(): IterableIterator<string> {
    return this.rooms.keys();
  }

  subscribe(member: PushMember, topic: string): void {
    if (member.topics.has(topic)) return;
    member.topics.add(topic);
    const subscribers = addTo(this.subscribers, topic, member);
    this.listener?.subscribed(member, topic, subscribers);
  }

  unsubscribe(member: PushMember, topic: string): void {
    if (!member.topics.delete(topic)) return;
    removeFrom(this.subscribers, topic, member);
    this.listener?.unsubscribed(member, topic);
  }

  /** Returns true when the member was not in the room before. */
  join(member: PushMember, room: string): boolean {
    if (member.rooms.has(room)) return false;
    member.rooms.add(room);
    const members = addTo(this.rooms, room, member);
    this.listener?.joined(member, room, members);
    return true;
  }

  /** Returns true when the member was in the room. */
  leave(member: PushMember, room: string): boolean {
    if (!member.rooms.delete(room)) return false;
    removeFrom(this.rooms, room, member);
    this.listener?.left(member, room);
    return true;
  }

  /** Forgets a connection entirely (it closed); returns the rooms it was in. */
  remove(id: number): string[] {
    const member = this.members.get(id);
    if (!member) return [];
    this.members.delete(id);
    this.listener?.removed(member);
    for (const topic of member.topics) removeFrom(this.subscribers, topic, member);
    for (const room of member.rooms) removeFrom(this.rooms, room, member);
    return [...member.rooms];
  }
}

function addTo(index: Map<string, Set<PushMember>>, key: string, member: PushMember): ReadonlySet<PushMember> {
  let set = index.get(key);
  if (!set) {
    set = new Set();
    index.set(key, set);
  }
  set.add(member);
  return set;
}

function removeFrom(index: Map<string, Set<PushMember>>, key: string, member: PushMember): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(member);
  if (set.size === 0) index.delete(key);
}
