// Metric values over real sockets after a known mix of calls (all four kinds), errors, a refused call and push drops.
import 'reflect-metadata';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { Registry } from 'prom-client';
import { Channel, PushHub, RpcError, RpcServer, Status, createClient, type FrameConnection } from '../../src/internal';
import { instrumentChannel, instrumentServer, prometheusMetrics } from '../../src/observability';
import { ChatEventsDefinition } from '../../generated/chat/chat';
import { StalledPeer } from '../push/helpers';
import { TestServiceDefinition, defaultHandlers } from '../rpc/harness';
import type { Payload } from '../../generated/test/testing';

const TEST = { service: 'test.v1.TestService' };

async function* payloads(count: number): AsyncIterable<Payload> {
  for (let seq = 1; seq <= count; seq++) yield { body: Buffer.alloc(0), seq };
}

/** Polls `condition` every few ms, failing after `timeoutMs`. */
async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('metrics (prom-client adapter)', () => {
  let server: RpcServer;
  let channel: Channel;
  let peer: StalledPeer | undefined;
  const registry = new Registry();

  afterAll(async () => {
    peer?.destroy();
    channel?.close();
    await server?.close(0);
  });

  it('counts calls by method and code, durations, messages, connections, bytes, pushes delivered and dropped', async () => {
    const metrics = prometheusMetrics({ registry });
    const warnings: unknown[][] = [];
    server = new RpcServer({
      logger: { error: () => undefined, warn: (...args: unknown[]) => void warnings.push(args) },
      interceptors: [
        async (context, next) => {
          if (context.metadata.get('deny') === 'yes') throw new RpcError(Status.UNAUTHENTICATED, 'denied');
          return next();
        },
      ],
    });
    server.addService(TestServiceDefinition, {
      ...defaultHandlers(),
      async fail(request) {
        if (request.ms === 1) throw new RpcError(Status.NOT_FOUND, 'none');
        throw new Error('a handler bug');
      },
    });
    const hub = new PushHub(server, { maxPushBacklogBytes: 64 * 1024, slowConsumer: 'drop', flushDelayMs: 0 });
    instrumentServer(server, metrics, { pushHub: hub });
    const { port } = await server.listen(0);
    channel = new Channel({ port });
    instrumentChannel(channel, metrics);
    const test = createClient(TestServiceDefinition, channel);

    for (let i = 0; i < 3; i++) await test.unary({ body: Buffer.from('x'), seq: i });
    await expect(test.unary({ body: Buffer.alloc(0), seq: 0 }, { metadata: { deny: 'yes' } })).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
    await expect(test.fail({ ms: 1, text: '' })).rejects.toMatchObject({ code: Status.NOT_FOUND });
    await expect(test.fail({ ms: 2, text: '' })).rejects.toMatchObject({ code: Status.UNKNOWN });
    for await (const item of test.serverStream({ body: Buffer.alloc(0), seq: 4 })) expect(item.seq).toBeLessThan(4);
    expect(await test.clientStream(payloads(5))).toEqual({ total: 15, count: 5 });
    for await (const item of test.bidi(payloads(2))) expect(item.seq).toBeGreaterThan(0);

    // A subscriber that never reads: pushes to it are dropped once its backlog passes 64 KiB.
    const connected = once(server, 'connection') as Promise<[FrameConnection]>;
    peer = await StalledPeer.connect(port, ['/chat.v1.ChatEvents/MessagePosted']);
    const [stalled] = await connected;
    await waitFor(() => (hub.connectionStats(stalled.id)?.topics.length ?? 0) > 0);
    const text = randomBytes(3000).toString('base64');
    const events = hub.emitter(ChatEventsDefinition).toAll();
    for (let seq = 0; seq < 5000 && hub.stats.dropped < 3; seq++) {
      events.messagePosted({ room: 'all', from: 'server', text, seq });
      if (seq % 50 === 49) await new Promise((resolve) => setImmediate(resolve)); // let the socket take what it can
    }
    expect(hub.stats.dropped).toBeGreaterThanOrEqual(3);
    // The drops are logged, rate-limited: at most 5 lines for the one stalled peer.
    const slow = warnings.filter(([message]) => String(message).startsWith('framerpc: push dropped for a slow consumer'));
    expect(slow.length).toBeGreaterThanOrEqual(1);
    expect(slow.length).toBeLessThanOrEqual(5);
    expect(slow[0][2]).toMatchObject({ connectionId: stalled.id, topic: '/chat.v1.ChatEvents/MessagePosted', peer: expect.stringMatching(/^127\.0\.0\.1:/) });

    const json = await registry.getMetricsAsJSON();
    // The sum of the samples named `name` (a histogram's _count and _sum are samples of the histogram) with `labels`.
    const value = (name: string, labels: Record<string, string> = {}): number | undefined =>
      json
        .flatMap((metric) => metric.values.map((sample) => ({ ...sample, name: (sample as { metricName?: string }).metricName ?? metric.name })))
        .filter((sample) => sample.name === name && Object.entries(labels).every(([key, expected]) => sample.labels[key] === expected))
        .reduce<number | undefined>((sum, sample) => (sum ?? 0) + sample.value, undefined);

    expect(value('framerpc_server_started_total', { ...TEST, method: 'Unary', type: 'unary' })).toBe(4);
    expect(value('framerpc_server_handled_total', { ...TEST, method: 'Unary', code: 'OK' })).toBe(3);
    expect(value('framerpc_server_handled_total', { ...TEST, method: 'Unary', code: 'UNAUTHENTICATED' })).toBe(1);
    expect(value('framerpc_server_handled_total', { ...TEST, method: 'Fail', code: 'NOT_FOUND' })).toBe(1);
    expect(value('framerpc_server_handled_total', { ...TEST, method: 'Fail', code: 'UNKNOWN' })).toBe(1);
    expect(value('framerpc_server_started_total', { ...TEST, method: 'Bidi', type: 'bidi-streaming' })).toBe(1);
    expect(value('framerpc_server_handling_seconds_count', { ...TEST, method: 'Unary' })).toBe(4);
    expect(value('framerpc_server_handling_seconds_sum', { ...TEST, method: 'Unary' })).toBeGreaterThan(0);
    // Messages: the refused call's request arrived, its response was never sent.
    expect(value('framerpc_server_msg_received_total', { ...TEST, method: 'Unary' })).toBe(4);
    expect(value('framerpc_server_msg_sent_total', { ...TEST, method: 'Unary' })).toBe(3);
    expect(value('framerpc_server_msg_sent_total', { ...TEST, method: 'ServerStream' })).toBe(4);
    expect(value('framerpc_server_msg_received_total', { ...TEST, method: 'ClientStream' })).toBe(5);
    expect(value('framerpc_server_msg_sent_total', { ...TEST, method: 'ClientStream' })).toBe(1);
    expect(value('framerpc_server_msg_received_total', { ...TEST, method: 'Bidi' })).toBe(2);
    expect(value('framerpc_server_msg_sent_total', { ...TEST, method: 'Bidi' })).toBe(2);

    expect(value('framerpc_client_started_total', { ...TEST, method: 'Unary' })).toBe(4);
    expect(value('framerpc_client_handled_total', { ...TEST, method: 'Unary', code: 'UNAUTHENTICATED' })).toBe(1);
    expect(value('framerpc_client_handled_total', { ...TEST, method: 'Fail', code: 'UNKNOWN' })).toBe(1);
    expect(value('framerpc_client_msg_sent_total', { ...TEST, method: 'Unary' })).toBe(4);
    expect(value('framerpc_client_msg_received_total', { ...TEST, method: 'Unary' })).toBe(3);
    expect(value('framerpc_client_msg_sent_total', { ...TEST, method: 'ServerStream' })).toBe(1);
    expect(value('framerpc_client_msg_received_total', { ...TEST, method: 'ServerStream' })).toBe(4);
    expect(value('framerpc_client_msg_sent_total', { ...TEST, method: 'ClientStream' })).toBe(5);
    expect(value('framerpc_client_msg_received_total', { ...TEST, method: 'ClientStream' })).toBe(1);
    expect(value('framerpc_client_msg_sent_total', { ...TEST, method: 'Bidi' })).toBe(2);
    expect(value('framerpc_client_msg_received_total', { ...TEST, method: 'Bidi' })).toBe(2);

    expect(value('framerpc_connections_open', { side: 'server' })).toBe(2);
    expect(value('framerpc_connections_open', { side: 'client' })).toBe(1);
    const clientSocket = channel.transport.connection!;
    expect(value('framerpc_bytes_sent_total', { side: 'client' })).toBe(clientSocket.bytesWritten);
    expect(value('framerpc_bytes_received_total', { side: 'client' })).toBe(clientSocket.bytesRead);
    const serverSockets = [...server.transport.connections.values()].map((connection) => connection);
    expect(value('framerpc_bytes_sent_total', { side: 'server' })).toBe(serverSockets.reduce((sum, socket) => sum + socket.bytesWritten, 0));
    expect(value('framerpc_bytes_received_total', { side: 'server' })).toBe(serverSockets.reduce((sum, socket) => sum + socket.bytesRead, 0));
    expect(value('framerpc_push_delivered_total')).toBe(hub.stats.sent);
    expect(value('framerpc_push_dropped_total')).toBe(hub.stats.dropped);

    // And as /metrics shows them.
    const exposition = await registry.metrics();
    expect(exposition).toContain('framerpc_server_handled_total{service="test.v1.TestService",method="Unary",code="OK"} 3');
    expect(exposition).toContain('# TYPE framerpc_server_handling_seconds histogram');

    const closed = once(channel, 'disconnect');
    channel.close();
    await closed;
    const after = (await registry.getMetricsAsJSON()).find((metric) => metric.name === 'framerpc_connections_open');
    expect(after?.values.find((sample) => sample.labels.side === 'client')?.value).toBe(0);
  });
});
