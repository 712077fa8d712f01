// The server side of push: typed emitters, rooms, subscriptions, and the policy for slow consumers.
import { EventEmitter } from 'node:events';
import { PushControlDefinition } from '../../generated/framerpc/push/v1/push';
import type { CallContext } from '../service/call-context';
import type { RpcServer } from '../server/rpc-server';
import type { ServiceDefinition } from '../service/service-definition';
import { localExcept, payloadTopic, resolveConnection } from './bus-routing';
import type { ConnectionDirectory } from './connection-directory';
import type { FrameTransport as FrameConnection } from '../transport/frame-transport';
import { eventTopicsOf, type EventTopic } from './event-topics';
import { FlushLinger } from './flush-linger';
import { fanOut, type DeferredFlush, type Delivery, type PushHubStats, type SlowConsumer } from './fan-out';
import { InProcessPushBus } from './in-process-bus';
import { globalConnectionId, type BusMessage, type BusTarget, type PushBus, type PushBusNode } from './push-bus';
import { pushControlService, type PushControlHost } from './push-control';
import { createPushEmitter, type PushEmitter, type PushTarget } from './push-emitter';
import { PushError, PushErrorCode } from './push-error';
import { checkPolicy, resolvePushHubOptions, type PushHubOptions, type PushPolicy } from './push-options';
import { PushRegistry, type PushMember } from './push-registry';
import { LocalPushSource, RemotePushSource, type PushSource } from './push-source';
import { isValidRoom, MAX_ROOM_BYTES } from './push-wire';
import { serverDirectory } from './server-directory';
import { SharedRound } from './shared-round';

export interface PushHubEvents {
  /** A connection joined a room; `context` is the PushControl.Join call's, or undefined for hub.join(). */
  join: [connectionId: number, room: string, context: CallContext | undefined];
  /** A connection left a room: by PushControl.Leave or hub.leave() ('left'), or because it closed ('disconnected'). */
  leave: [connectionId: number, room: string, reason: 'left' | 'disconnected'];
  /**
   * A push was refused to a connection that fell behind (and, with policy 'disconnect', the connection
   * closed). A broadcast held for a delayed flush refuses the connection the rest of that round's batch
   * too (at most 64 KiB of pushes), reported once; each refused push is still counted in `dropped`.
   */
  slowConsumer: [slow: SlowConsumer];
}

/** What the hub knows about one connection. */
export interface ConnectionPushStats {
  readonly sent: number;
  readonly dropped: number;
  readonly topics: string[];
  readonly rooms: string[];
}

/**
 * Server push for one RpcServer: typed emitters over ts-proto event-service definitions, rooms, and
 * bounded fan-out. Registers the PushControl service on the server (so clients' subscribe and join calls
 * pass its interceptors) and forgets a connection's subscriptions and rooms when it closes (its
 * `directory` says). With a shared `bus` (RedisPushBus) the hubs of several processes act as one: a push
 * is fanned out here, then published once for the other nodes, which fan it out to their own members.
 * Register the instance in your DI container (`container.registerInstance(PushHub, hub)`) to inject it.
 */
export class PushHub extends EventEmitter<PushHubEvents> {
  readonly options: PushHubOptions;
  /** This node's name on the bus (PushHubOptions.nodeId). */
  readonly nodeId: string;
  readonly bus: PushBus;
  private readonly directory: ConnectionDirectory;
  private readonly stopFollowing: () => void;
  private readonly busNode: PushBusNode;
  private readonly counters: PushHubStats = { pushes: 0, messagesEncoded: 0, framesEncoded: 0, sent: 0, dropped: 0, slowDisconnects: 0, busPublished: 0, busRefused: 0, busReceived: 0 };
  /** The current flush round's broadcasts, one shared buffer per recipient set. */
  private readonly shared = new SharedRound(this.counters, (slow) => this.onSlow(slow));
  private readonly registry = new PushRegistry(this.shared);
  private readonly basePolicy: PushPolicy;
  private readonly roomPolicies = new Map<string, Partial<PushPolicy>>();
  private readonly topicPolicies = new Map<string, Partial<PushPolicy>>();
  private readonly emitters = new WeakMap<ServiceDefinition, PushEmitter<ServiceDefinition>>();
  private flushTimer: NodeJS.Timeout | undefined;
  private flushRoundState: DeferredFlush = { round: 0, members: [] };
  private readonly linger: FlushLinger;
  private readonly flushDeferred = (): void => {
    this.flushTimer = undefined;
    this.shared.closeAll();
    this.linger.flushed(this.flushRoundState.members.length, performance.now());
    for (const member of this.flushRoundState.members) member.connection.flush();
    this.flushRoundState.members.length = 0;
  };
  private readonly onSlow = (slow: SlowConsumer): void => {
    const connection = this.directory.get(slow.connectionId);
    // Rate-limited per peer host and action: a stalled peer is refused every push until it catches up.
    this.server.log.warn(
      `framerpc: push ${slow.action === 'dropped' ? 'dropped for' : 'disconnected'} a slow consumer (backlog ${slow.backlogBytes} bytes, limit ${slow.maxPushBacklogBytes})`,
      {
        peer: connection ? `${connection.remoteAddress}:${connection.remotePort}` : undefined,
        connectionId: slow.connectionId,
        topic: slow.topic,
        room: slow.room,
        backlogBytes: slow.backlogBytes,
      },
      `${connection?.remoteAddress ?? slow.connectionId}\nslow\n${slow.action}`,
    );
    this.emit('slowConsumer', slow);
  };
  private readonly push = (topic: EventTopic, target: PushTarget, message: unknown): Delivery => this.deliver(topic, target, message);

  constructor(
    readonly server: RpcServer,
    options: Partial<PushHubOptions> = {},
  ) {
    super();
    this.directory = options.directory ?? serverDirectory(server);
    this.options = resolvePushHubOptions(options, this.directory.maxOutboundBytes);
    this.nodeId = this.options.nodeId;
    this.bus = this.options.bus ?? new InProcessPushBus();
    const { flushDelayMs, maxFlushDelayMs, flushWritesPerMs } = this.options;
    this.linger = new FlushLinger({ baseMs: flushDelayMs, maxMs: Math.max(flushDelayMs, maxFlushDelayMs), writesPerMs: flushWritesPerMs });
    this.basePolicy = { maxPushBacklogBytes: this.options.maxPushBacklogBytes, slowConsumer: this.options.slowConsumer };
    for (const [room, policy] of Object.entries(this.options.rooms)) this.roomPolicies.set(room, policy);
    for (const [topic, policy] of Object.entries(this.options.topics)) this.topicPolicies.set(topic, policy);
    server.addService(PushControlDefinition, pushControlService(this.controlHost()));
    this.stopFollowing = this.directory.onClose((connectionId) => this.forget(connectionId));
    const nodeId = this.nodeId;
    this.busNode = { nodeId, receive: (message) => this.receive(message) };
    this.bus.attach(this.busNode);
  }

  /** The global id of a connection of this node ("nodeId:connectionId"), for toConnection and except on any node. */
  globalId(connectionId: number): string {
    return globalConnectionId(this.nodeId, connectionId);
  }

  /** The typed emitter of event service `definition` (one per definition, created on first use). */
  emitter<D extends ServiceDefinition>(definition: D): PushEmitter<D> {
    let emitter = this.emitters.get(definition);
    if (!emitter) {
      emitter = createPushEmitter(eventTopicsOf(definition), this.push);
      this.emitters.set(definition, emitter);
    }
    return emitter as unknown as PushEmitter<D>;
  }

  /** Adds an open connection to a room (no limit applies: the server decides). False if the connection is not open. */
  join(connectionId: number, room: string): boolean {
    if (!isValidRoom(room)) throw new PushError(PushErrorCode.BAD_ROOM, `a room name must be 1 to ${MAX_ROOM_BYTES} UTF-8 bytes, got ${JSON.stringify(String(room).slice(0, 40))}`);
    const member = this.memberOf(connectionId);
    if (!member) return false;
    this.addToRoom(member, room, undefined);
    return true;
  }

  /** Removes a connection from a room. False if it was not in it. */
  leave(connectionId: number, room: string): boolean {
    const member = this.registry.member(connectionId);
    return member !== undefined && this.removeFromRoom(member, room);
  }

  /** Subscribes an open connection to a topic path on the server's initiative. False if the connection is not open. */
  subscribe(connectionId: number, topic: string): boolean {
    const member = this.memberOf(connectionId);
    if (!member) return false;
    this.registry.subscribe(member, topic);
    return true;
  }

  /** Stops pushes of a topic to a connection. */
  unsubscribe(connectionId: number, topic: string): void {
    const member = this.registry.member(connectionId);
    if (member) this.registry.unsubscribe(member, topic);
  }

  /** Connection ids in a room. */
  members(room: string): number[] {
    return [...this.registry.membersOf(room)].map((member) => member.id);
  }

  /** Rooms with at least one member. */
  rooms(): string[] {
    return [...this.registry.roomNames()];
  }

  /** Connection ids subscribed to a topic path. */
  subscribers(topic: string): number[] {
    return [...this.registry.subscribersOf(topic)].map((member) => member.id);
  }

  /** Sets (or with undefined, clears) the policy of pushes to a room, field by field over the topic's and the hub's. */
  setRoomPolicy(room: string, policy: Partial<PushPolicy> | undefined): void {
    this.setPolicy(this.roomPolicies, room, policy, `room policy ${JSON.stringify(room)}`);
  }

  /** Sets (or clears) the policy of a topic path, field by field over the hub's. */
  setTopicPolicy(topic: string, policy: Partial<PushPolicy> | undefined): void {
    this.setPolicy(this.topicPolicies, topic, policy, `topic policy ${JSON.stringify(topic)}`);
  }

  /** A snapshot of the hub's counters, plus how many connections, rooms and topics it tracks now. */
  get stats(): Readonly<PushHubStats & { connections: number; rooms: number; topics: number }> {
    return { ...this.counters, connections: this.registry.memberCount, rooms: this.registry.roomCount, topics: this.registry.topicCount };
  }

  /** What the hub knows about a connection, or undefined if it never subscribed or joined (or closed). */
  connectionStats(connectionId: number): ConnectionPushStats | undefined {
    const member = this.registry.member(connectionId);
    if (!member) return undefined;
    const batch = member.batch;
    const sent = member.sent + (batch?.pendingSent(member) ?? 0);
    const dropped = member.dropped + (batch?.pendingDropped(member) ?? 0);
    return { sent, dropped, topics: [...member.topics], rooms: [...member.rooms] };
  }

  /** Stops following the server's connections and leaves the bus (the PushControl service stays registered). */
  detach(): void {
    this.stopFollowing();
    this.bus.detach(this.busNode);
  }

  private deliver(topic: EventTopic, target: PushTarget, message: unknown): Delivery {
    this.counters.pushes++;
    const source = new LocalPushSource(topic, message, this.counters);
    if (target.kind === 'connection') {
      const connection = resolveConnection(target.connectionId, this.nodeId);
      if (connection.local !== undefined) return this.fanOutLocal(source, { kind: 'connection', nodeId: this.nodeId, connectionId: connection.local });
      const delivery: Delivery = { sent: 0, dropped: 0, published: false };
      delivery.published = this.publish(source, { kind: 'connection', nodeId: connection.nodeId, connectionId: connection.connectionId });
      return delivery;
    }
    // No connection can be in such a room, and its name could not cross the bus: a misuse, said at once.
    if (target.kind === 'room' && !isValidRoom(target.room))
      throw new PushError(PushErrorCode.BAD_ROOM, `a room name must be 1 to ${MAX_ROOM_BYTES} UTF-8 bytes, got ${JSON.stringify(String(target.room).slice(0, 40))}`);
    const except = target.except === undefined ? undefined : resolveConnection(target.except, this.nodeId);
    const busTarget: BusTarget = target.kind === 'room' ? { kind: 'room', room: target.room, except: except?.global } : { kind: 'all', except: except?.global };
    const delivery = this.fanOutLocal(source, busTarget, except?.local);
    delivery.published = this.publish(source, busTarget);
    return delivery;
  }

  /** Hands a push to the other nodes (encoding it if the local fan-out did not), when there are any. */
  private publish(source: PushSource, target: BusTarget): boolean {
    if (!this.bus.shared) return false;
    const published = this.bus.publish({ origin: this.nodeId, target, payload: source.payload() });
    if (published) this.counters.busPublished++;
    else this.counters.busRefused++;
    return published;
  }

  /** A push from another node: fanned out to this node's members with the payload it encoded. */
  private receive(message: BusMessage): void {
    const target = message.target;
    const path = payloadTopic(message.payload);
    if (path === undefined || message.origin === this.nodeId) return;
    if (target.kind === 'connection' && target.nodeId !== this.nodeId) return;
    this.counters.busReceived++;
    this.fanOutLocal(new RemotePushSource(path, message.payload), target, target.kind === 'connection' ? undefined : localExcept(target.except, this.nodeId));
  }

  private fanOutLocal(source: PushSource, target: BusTarget, except?: number): Delivery {
    const round = this.deferredFlush();
    if (target.kind === 'connection') {
      const member = this.registry.member(target.connectionId);
      const fan = { recipients: member ? [member] : [], except: undefined, room: undefined, policy: this.policyFor(source.path, undefined) };
      return fanOut(source, fan, this.counters, this.onSlow, round);
    }
    const room = target.kind === 'room' ? target.room : undefined;
    const recipients = room === undefined ? this.registry.subscribersOf(source.path) : this.registry.membersOf(room);
    const policy = this.policyFor(source.path, room);
    if (round === undefined || recipients.size === 0) return fanOut(source, { recipients, except, room, policy }, this.counters, this.onSlow, round);
    const exceptMember = except === undefined ? undefined : this.registry.member(except);
    return this.shared.push(round, recipients, source, room, policy, exceptMember);
  }

  /** The current delayed-flush round, arming its timer on first use; undefined when flushDelayMs is 0. */
  private deferredFlush(): DeferredFlush | undefined {
    const delay = this.options.flushDelayMs;
    if (delay === 0) return undefined;
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(this.flushDeferred, this.linger.delayMs(performance.now())).unref();
      this.flushRoundState = { round: this.flushRoundState.round + 1, members: [] };
    }
    return this.flushRoundState;
  }

  private policyFor(topic: string, room: string | undefined): PushPolicy {
    const byTopic = this.topicPolicies.get(topic);
    const byRoom = room === undefined ? undefined : this.roomPolicies.get(room);
    if (!byTopic && !byRoom) return this.basePolicy;
    return {
      maxPushBacklogBytes: byRoom?.maxPushBacklogBytes ?? byTopic?.maxPushBacklogBytes ?? this.basePolicy.maxPushBacklogBytes,
      slowConsumer: byRoom?.slowConsumer ?? byTopic?.slowConsumer ?? this.basePolicy.slowConsumer,
    };
  }

  private setPolicy(map: Map<string, Partial<PushPolicy>>, key: string, policy: Partial<PushPolicy> | undefined, where: string): void {
    if (policy === undefined) {
      map.delete(key);
      return;
    }
    checkPolicy(policy, where, this.directory.maxOutboundBytes);
    map.set(key, { ...policy });
  }

  private memberOf(connectionId: number): PushMember | undefined {
    const known = this.registry.member(connectionId);
    if (known) return known.connection.writable ? known : undefined;
    const connection = this.directory.get(connectionId);
    return connection && connection.writable ? this.registry.memberFor(connection) : undefined;
  }

  private addToRoom(member: PushMember, room: string, context: CallContext | undefined): void {
    if (!this.registry.join(member, room)) return;
    // The room's first member here: a bus with per-room channels starts listening to it.
    if (this.registry.membersOf(room).size === 1) this.bus.watchRoom?.(room, true);
    this.emit('join', member.id, room, context);
  }

  private removeFromRoom(member: PushMember, room: string): boolean {
    if (!this.registry.leave(member, room)) return false;
    this.roomLeft(room);
    this.emit('leave', member.id, room, 'left');
    return true;
  }

  private forget(connectionId: number): void {
    for (const room of this.registry.remove(connectionId)) {
      this.roomLeft(room);
      this.emit('leave', connectionId, room, 'disconnected');
    }
  }

  /** After a member left `room`: the last one here, and the bus may stop listening to it. */
  private roomLeft(room: string): void {
    if (this.registry.membersOf(room).size === 0) this.bus.watchRoom?.(room, false);
  }

  private controlHost(): PushControlHost {
    return {
      options: this.options,
      memberOf: (connectionId) => this.memberOf(connectionId),
      subscribe: (member, topic) => this.registry.subscribe(member, topic),
      unsubscribe: (member, topic) => this.registry.unsubscribe(member, topic),
      join: (member, room, context) => this.addToRoom(member, room, context),
      leave: (member, room) => {
        this.removeFromRoom(member, room);
      },
    };
  }
}
