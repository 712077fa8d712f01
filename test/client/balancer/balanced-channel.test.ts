// Balanced channels over real sockets: policies spread calls, failed or draining endpoints leave rotation.
import { WorkServiceDefinition } from '../../../generated/test/balancing';
import { BalancedChannel, RpcServer, ServingStatus, createChannel, createClient, dnsResolver, type EndpointState, type RpcError } from '../../../src/internal';
import { workService } from '../../../bench/cluster/work-service';
import { recordingLogger } from '../../rpc/harness';
import { deadPort, startWorkServer, waitUntil, type WorkServer } from './work-servers';

const FAST = { reconnect: { initialDelayMs: 10, maxDelayMs: 50, multiplier: 2, jitter: 0 }, minResolveIntervalMs: 10 };

describe('BalancedChannel', () => {
  let servers: WorkServer[] = [];
  let channels: BalancedChannel[] = [];

  async function start(count: number): Promise<WorkServer[]> {
    const started = await Promise.all(Array.from({ length: count }, (_, i) => startWorkServer(`s${i}`)));
    servers.push(...started);
    return started;
  }
  function track(channel: BalancedChannel): BalancedChannel {
    channels.push(channel);
    return channel;
  }

  afterEach(async () => {
    for (const channel of channels) channel.close();
    await Promise.all(servers.map((s) => s.server.close(0)));
    servers = [];
    channels = [];
  });

  async function shares(channel: BalancedChannel, calls: number): Promise<Map<string, number>> {
    const client = createClient(WorkServiceDefinition, channel);
    const counts = new Map<string, number>();
    for (let i = 0; i < calls; i++) {
      const reply = await client.read({ key: `k${i}` });
      counts.set(reply.server, (counts.get(reply.server) ?? 0) + 1);
    }
    return counts;
  }

  it('round_robin sends each call to the next ready endpoint in turn', async () => {
    const [a, b, c] = await start(3);
    const channel = track(createChannel({ endpoints: [a.address, b.address, c.address], policy: 'round_robin' }));
    await channel.connect();
    await waitUntil(() => channel.endpointStates().every((e) => e.state === 'ready'), 'all endpoints are ready');
    expect(await shares(channel, 30)).toEqual(
      new Map([
        ['s0', 10],
        ['s1', 10],
        ['s2', 10],
      ]),
    );
    expect(channel.state).toBe('open');
  });

  it('pick_first sends every call to the first ready endpoint, and the next takes over when it goes', async () => {
    const [a, b] = await start(2);
    const channel = track(createChannel({ ...FAST, endpoints: [a.address, b.address] }));
    await channel.connect();
    await waitUntil(() => channel.endpointStates()[0].state === 'ready', 'the first endpoint is ready');
    expect(await shares(channel, 5)).toEqual(new Map([['s0', 5]]));
    await a.server.close(0);
    await waitUntil(() => channel.endpointStates()[0].state !== 'ready', 'the first endpoint left rotation');
    expect(await shares(channel, 5)).toEqual(new Map([['s1', 5]]));
  });

  it('least_loaded (two random choices) sends calls away from an endpoint with calls in flight', async () => {
    const [a, b] = await start(2);
    const channel = track(createChannel({ endpoints: [a.address, b.address], policy: 'least_loaded' }));
    await channel.connect();
    await waitUntil(() => channel.endpointStates().every((e) => e.state === 'ready'), 'both endpoints are ready');
    const client = createClient(WorkServiceDefinition, channel);
    // One slow call occupies one endpoint; with two endpoints both are always the two choices.
    const slow = client.read({ key: 'slow', ms: 300 });
    await waitUntil(() => channel.endpointStates().some((e) => e.callsInFlight > 0), 'the slow call is in flight');
    const busy = channel.endpointStates().find((e) => e.callsInFlight > 0)!.endpoint;
    const busyLabel = busy === a.address ? 's0' : 's1';
    const counts = await shares(channel, 10);
    expect(counts.get(busyLabel) ?? 0).toBe(0);
    await slow;
  });

  it('an endpoint that fails to connect stays out of rotation; calls go to the others', async () => {
    const [a] = await start(1);
    const dead = `127.0.0.1:${await deadPort()}`;
    const channel = track(createChannel({ ...FAST, endpoints: [dead, a.address], policy: 'round_robin' }));
    const seen: [string, EndpointState][] = [];
    channel.on('endpointState', (endpoint, state) => seen.push([endpoint, state]));
    await channel.connect();
    await waitUntil(() => seen.some(([e, s]) => e === dead && s === 'transient_failure'), 'the dead endpoint failed');
    expect(await shares(channel, 6)).toEqual(new Map([['s0', 6]]));
    expect(channel.endpointStates().map((e) => e.state)).toEqual(['transient_failure', 'ready']);
  });

  it('takes an endpoint whose server sends GOAWAY out of rotation, without failing calls', async () => {
    const [a, b] = await start(2);
    const channel = track(createChannel({ ...FAST, endpoints: [a.address, b.address], policy: 'round_robin', healthCheck: true }));
    await channel.connect();
    await waitUntil(() => channel.endpointStates().every((e) => e.state === 'ready'), 'both endpoints are ready');
    const client = createClient(WorkServiceDefinition, channel);
    const inFlight = Array.from({ length: 8 }, (_, i) => client.put({ key: `p${i}`, ms: 50 }));
    const closing = a.server.close(2000);
    const replies = await Promise.all(inFlight);
    expect(replies).toHaveLength(8);
    await closing;
    await waitUntil(() => channel.endpointStates()[0].state !== 'ready', 'the closed endpoint left rotation');
    expect(await shares(channel, 4)).toEqual(new Map([['s1', 4]]));
  });

  it('an endpoint reporting NOT_SERVING (health Watch) leaves rotation and comes back on SERVING', async () => {
    const [a, b] = await start(2);
    const channel = track(createChannel({ endpoints: [a.address, b.address], policy: 'round_robin', healthCheck: true }));
    await channel.connect();
    await waitUntil(() => channel.endpointStates().every((e) => e.state === 'ready'), 'both endpoints are ready');
    a.health.setStatus('', ServingStatus.NOT_SERVING);
    await waitUntil(() => channel.endpointStates()[0].state === 'not_serving', 'the endpoint is not serving');
    expect(await shares(channel, 4)).toEqual(new Map([['s1', 4]]));
    a.health.setStatus('', ServingStatus.SERVING);
    await waitUntil(() => channel.endpointStates()[0].state === 'ready', 'the endpoint is back');
    expect(await shares(channel, 4)).toEqual(
      new Map([
        ['s0', 2],
        ['s1', 2],
      ]),
    );
  });

  it('with healthCheck, judges a server without the health service by its connection alone', async () => {
    const plain = new RpcServer({ logger: recordingLogger() }).addService(WorkServiceDefinition, { ...workService('plain'), relay: () => ({ server: 'plain', executions: 0, seq: 0 }) });
    const { port } = await plain.listen(0);
    try {
      const channel = track(createChannel({ endpoints: [`127.0.0.1:${port}`], healthCheck: true }));
      await channel.connect();
      expect(channel.endpointStates().map((e) => e.state)).toEqual(['ready']);
      expect(await shares(channel, 2)).toEqual(new Map([['plain', 2]]));
    } finally {
      await plain.close(0);
    }
  });

  it('fails fast with UNAVAILABLE, marked not processed, when no endpoint is ready', async () => {
    const dead = `127.0.0.1:${await deadPort()}`;
    const channel = track(createChannel({ ...FAST, endpoints: [dead], retry: false }));
    const states: string[] = [];
    channel.on('state', (state) => states.push(state));
    const error = await createClient(WorkServiceDefinition, channel)
      .charge({ key: 'x' })
      .catch((e: RpcError) => e);
    expect((error as RpcError).code).toBe(14);
    expect((error as RpcError).notProcessed).toBe(true);
    expect((error as RpcError).message).toContain('transient_failure');
    expect(states).toEqual(['connecting', 'reconnecting']);
  });

  it('follows a user resolver function: new endpoints join, removed ones leave', async () => {
    const [a, b] = await start(2);
    let list = [a.address];
    const channel = track(createChannel({ ...FAST, resolver: async () => list, policy: 'round_robin' }));
    const lists: string[][] = [];
    channel.on('endpoints', (endpoints) => lists.push(endpoints));
    await channel.connect();
    expect(await shares(channel, 2)).toEqual(new Map([['s0', 2]]));
    list = [b.address];
    await channel.refresh();
    await waitUntil(() => channel.endpointStates()[0]?.state === 'ready', 'the new endpoint is ready');
    expect(await shares(channel, 2)).toEqual(new Map([['s1', 2]]));
    expect(lists).toEqual([[a.address], [b.address]]);
  });

  it('lets an endpoint the resolver dropped finish its calls in flight before closing it', async () => {
    const [a, b] = await start(2);
    let list = [a.address];
    const channel = track(createChannel({ ...FAST, resolver: async () => list }));
    await channel.connect();
    const client = createClient(WorkServiceDefinition, channel);
    const slow = client.read({ key: 'slow-on-a', ms: 200 });
    await waitUntil(() => a.executions.has('read slow-on-a'), 'the slow call runs on a');
    list = [b.address];
    await channel.refresh();
    expect(channel.endpointStates().map((e) => e.endpoint)).toEqual([b.address]);
    expect((await slow).server).toBe('s0');
    await waitUntil(() => a.server.transport.connections.size === 0, 'the dropped endpoint closed its connection');
  });

  it('asks a failing resolver again, and keeps the endpoints it has while the resolver fails', async () => {
    const [a] = await start(1);
    let calls = 0;
    const channel = track(
      createChannel({
        ...FAST,
        resolver: async () => {
          calls++;
          if (calls === 1 || calls === 3) throw new Error(`discovery down (${calls})`);
          return [a.address];
        },
      }),
    );
    const errors: string[] = [];
    channel.on('resolveError', (error) => errors.push(error.message));
    await channel.connect();
    expect(errors).toEqual(['discovery down (1)']);
    await channel.refresh();
    expect(errors).toEqual(['discovery down (1)', 'discovery down (3)']);
    expect(await shares(channel, 2)).toEqual(new Map([['s0', 2]]));
  });

  it('resolves a DNS name (localhost) to its addresses', async () => {
    const [a] = await start(1);
    const resolver = dnsResolver('localhost', a.server.port, { family: 4 });
    expect(await resolver.resolve()).toEqual([{ host: '127.0.0.1', port: a.server.port }]);
    const channel = track(createChannel({ resolver }));
    expect(await shares(channel, 2)).toEqual(new Map([['s0', 2]]));
  });

  it('createChannel with a list of addresses gives a balanced channel the typed client works on', async () => {
    const [a, b] = await start(2);
    const channel = track(createChannel([a.address, b.address]));
    expect(channel).toBeInstanceOf(BalancedChannel);
    const client = createClient(WorkServiceDefinition, channel);
    const replies: number[] = [];
    for await (const reply of client.watch({ key: 'w', count: 3 })) replies.push(reply.seq);
    expect(replies).toEqual([1, 2, 3]);
  });

  it('refuses options with neither or both of endpoints and resolver', () => {
    expect(() => new BalancedChannel({})).toThrow(/exactly one of the options endpoints and resolver/);
    expect(() => new BalancedChannel({ endpoints: ['a:1'], resolver: async () => [] })).toThrow(/exactly one/);
    expect(() => createChannel(['nohost'])).toThrow(/must be "host:port"/);
  });
});
