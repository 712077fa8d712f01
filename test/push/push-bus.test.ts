import { InProcessPushBus, PushError, PushHub, RpcServer } from '../../src/internal';
import type { Multiplexer } from '../../src/client/multiplexer';
import { ChatEventsDefinition } from '../../generated/chat/chat';
import { expectedEveryTarget, nodeMember, pushEveryTarget, startNodes, type NodeMember } from './cluster-helpers';
import type { PushFixture } from './helpers';

let nodes: PushFixture[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((node) => node.close()));
  nodes = [];
});

describe('PushBus seam: two hubs on one in-process bus', () => {
  test('room, all, all-except and connection pushes reach members on both nodes exactly once', async () => {
    const bus = new InProcessPushBus();
    nodes = await startNodes(2, () => bus);
    const members: NodeMember[] = [];
    for (const node of nodes) {
      members.push(await nodeMember(node, ['r']), await nodeMember(node, []), await nodeMember(node, ['r']));
    }
    const roomMembers = new Set(members.filter((_, i) => i % 3 !== 1));
    expect(await pushEveryTarget(nodes, members)).toEqual(expectedEveryTarget(nodes, members, roomMembers));
    // Node 0 encoded each message once (local fan-out and the bus share it); node 1 encoded none.
    expect(nodes[0].hub.stats).toMatchObject({ messagesEncoded: 5, busPublished: 5, busRefused: 0 });
    expect(nodes[1].hub.stats).toMatchObject({ messagesEncoded: 0, busReceived: 5, pushes: 0 });
  });

  test('a delivery says whether the bus took the push; a lone hub publishes nothing', async () => {
    nodes = await startNodes(1, () => new InProcessPushBus());
    const a = await nodeMember(nodes[0]);
    const delivery = nodes[0].hub.emitter(ChatEventsDefinition).toAll().messagePosted({ room: '', from: '', text: 'x', seq: 1 });
    expect(delivery).toEqual({ sent: 1, dropped: 0, published: false });
    await a.posted.until(1);
    expect(nodes[0].hub.stats.busPublished).toBe(0);
  });

  test("connection ids: global ids name the node; a local id or this node's global id stays local", async () => {
    const bus = new InProcessPushBus();
    nodes = await startNodes(2, () => bus);
    const here = await nodeMember(nodes[0]);
    const emitter = nodes[0].hub.emitter(ChatEventsDefinition);
    expect(here.globalId).toBe(`node-0:${here.id}`);
    expect(emitter.toConnection(here.globalId).messagePosted({ room: '', from: '', text: 'g', seq: 1 })).toEqual({ sent: 1, dropped: 0, published: false });
    expect(emitter.toConnection('node-1:999').messagePosted({ room: '', from: '', text: 'r', seq: 2 })).toEqual({ sent: 0, dropped: 0, published: true });
    expect(() => emitter.toRoom('x'.repeat(256)).messagePosted({ room: '', from: '', text: 'x', seq: 3 })).toThrow(expect.objectContaining({ code: 'ERR_PUSH_BAD_ROOM' }));
    expect(() => emitter.toConnection('no-colon').messagePosted({ room: '', from: '', text: 'x', seq: 3 })).toThrow(expect.objectContaining({ code: 'ERR_PUSH_BAD_CONNECTION_ID' }));
    await here.posted.until(1);
  });

  test('node ids: random by default, validated, unique on a bus', () => {
    const server = new RpcServer();
    const first = new PushHub(server);
    expect(first.nodeId).toMatch(/^[0-9a-f]{12}$/);
    expect(new PushHub(new RpcServer()).nodeId).not.toBe(first.nodeId);
    expect(() => new PushHub(new RpcServer(), { nodeId: 'has:colon' })).toThrow(PushError);
    const bus = new InProcessPushBus();
    new PushHub(new RpcServer(), { nodeId: 'same', bus });
    expect(() => new PushHub(new RpcServer(), { nodeId: 'same', bus })).toThrow(expect.objectContaining({ code: 'ERR_PUSH_NODE_ID_TAKEN' }));
  });

  test('a hub takes its connections from the directory it is handed', async () => {
    const closes: ((id: number) => void)[] = [];
    const server = new RpcServer();
    const hub = new PushHub(server, { directory: { get: () => undefined, maxOutboundBytes: 4 * 1024 * 1024, onClose: (listener) => (closes.push(listener), () => undefined) } });
    expect(closes).toHaveLength(1);
    expect(hub.join(5, 'room')).toBe(false); // the directory does not know connection 5
    expect(() => new PushHub(new RpcServer(), { maxPushBacklogBytes: 2000, directory: { get: () => undefined, maxOutboundBytes: 1000, onClose: () => () => undefined } })).toThrow(
      /below the transport's maxOutboundBytes \(1000\)/,
    );
  });

  test('the client side registers its push receiver with Multiplexer.onPush: one per connection', async () => {
    nodes = await startNodes(1, () => new InProcessPushBus());
    const a = await nodeMember(nodes[0]);
    const channel = nodes[0].channels[0];
    let mux: Multiplexer | undefined;
    channel.onMultiplexer((m) => (mux = m));
    expect(() => mux!.onPush(() => undefined)).toThrow(/already has a push receiver/);
    nodes[0].hub.emitter(ChatEventsDefinition).toConnection(a.id).messagePosted({ room: '', from: '', text: 'still routed', seq: 1 });
    await a.posted.until(1);
    expect(a.posted.items[0].text).toBe('still routed');
  });
});
