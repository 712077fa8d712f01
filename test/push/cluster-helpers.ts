// Several push nodes (RpcServer + PushHub each) joined by one bus, in this process, with typed members on each.
import { subscribePush, joinRoom, type PushBus, type PushHubOptions, type PushSubscription } from '../../src';
import { ChatEventsDefinition, type ChatMessage, type UserEvent } from '../../generated/chat/chat';
import { Collector, nextControlCall, startPush, type PushFixture } from './helpers';

/** A typed client of one node: subscribed to MessagePosted and UserJoined, in `rooms`. */
export interface NodeMember {
  readonly node: PushFixture;
  readonly id: number;
  /** Its global id, "nodeId:connectionId". */
  readonly globalId: string;
  readonly events: PushSubscription<typeof ChatEventsDefinition>;
  readonly posted: Collector<ChatMessage>;
  readonly joined: Collector<UserEvent>;
}

/** Starts `count` nodes on 127.0.0.1:0, each hub on the bus `busFor(i)` gives, named node-<i>. */
export async function startNodes(count: number, busFor: (index: number) => PushBus, options: Partial<PushHubOptions> = {}): Promise<PushFixture[]> {
  const nodes: PushFixture[] = [];
  for (let i = 0; i < count; i++) nodes.push(await startPush({ nodeId: `node-${i}`, bus: busFor(i), ...options }));
  return nodes;
}

export async function nodeMember(node: PushFixture, rooms: string[] = []): Promise<NodeMember> {
  const channel = await node.channel();
  const subscription = subscribePush(ChatEventsDefinition, channel);
  const posted = new Collector<ChatMessage>();
  const joined = new Collector<UserEvent>();
  const id = nextControlCall(node);
  subscription.messagePosted.on(posted.push);
  subscription.userJoined.on(joined.push);
  await subscription.ready();
  for (const room of rooms) await joinRoom(channel, room);
  const connectionId = await id;
  return { node, id: connectionId, globalId: node.hub.globalId(connectionId), events: subscription, posted, joined };
}

/**
 * Pushes a UserJoined marker to all from `from` and waits until every member has it: a bus keeps one
 * publisher's order, so every MessagePosted pushed before from the same node has arrived too.
 */
export async function settleAll(from: PushFixture, members: readonly NodeMember[]): Promise<void> {
  const counts = members.map((m) => m.joined.items.length + 1);
  from.hub.emitter(ChatEventsDefinition).toAll().userJoined({ room: 'marker', user: 'marker' });
  await Promise.all(members.map((m, i) => m.joined.until(counts[i])));
}

/** The texts each member received, in member order. */
export function texts(members: readonly NodeMember[]): string[][] {
  return members.map((m) => m.posted.items.map((item) => item.text));
}

/**
 * The four targets across nodes, pushed from node 0: room, all, all-except (a member of the last node)
 * and connection (a member of the last node). Returns what each member got, after a settling marker
 * (`crossShard`: the connection push may overtake or trail the others; it is awaited first).
 */
export async function pushEveryTarget(nodes: readonly PushFixture[], members: readonly NodeMember[], crossShard = false): Promise<string[][]> {
  const emitter = nodes[0].hub.emitter(ChatEventsDefinition);
  const remote = members.filter((m) => m.node === nodes[nodes.length - 1]);
  const message = (text: string): ChatMessage => ({ room: 'r', from: 'test', text, seq: 0 });
  const before = remote[1].posted.items.length;
  emitter.toRoom('r').messagePosted(message('room'));
  emitter.toAll().messagePosted(message('all'));
  emitter.toAllExcept(remote[0].globalId).messagePosted(message('all-except'));
  emitter.toConnection(remote[1].globalId).messagePosted(message('connection'));
  // On Redis Cluster the node channel and the broadcast channel may live on different shards, with no
  // order between them: wait for the connection push itself before the marker settles the rest.
  // remote[1] is in no room (members are made [in r, none, in r] per node): it gets all, all-except and connection.
  if (crossShard) await remote[1].posted.until(before + 3);
  await settleAll(nodes[0], members);
  return texts(members);
}

/** What pushEveryTarget should deliver: member by member, each message exactly once. */
export function expectedEveryTarget(nodes: readonly PushFixture[], members: readonly NodeMember[], roomMembers: ReadonlySet<NodeMember>): string[][] {
  const remote = members.filter((m) => m.node === nodes[nodes.length - 1]);
  return members.map((m) => [...(roomMembers.has(m) ? ['room'] : []), 'all', ...(m === remote[0] ? [] : ['all-except']), ...(m === remote[1] ? ['connection'] : [])]);
}
