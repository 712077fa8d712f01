// Graceful shutdown loses no call: GOAWAY names the last call accepted, and the calls above it are sent again.
import { createClient, RpcServer, Status, type RpcError } from '../../src';
import { Channel } from '../../src/client/channel';
import { TestServiceDefinition, type Payload } from '../../generated/test/testing';
import { defaultHandlers } from '../rpc/harness';

const servers: RpcServer[] = [];
const channels: Channel[] = [];
afterEach(async () => {
  for (const channel of channels.splice(0)) channel.close();
  await Promise.all(servers.splice(0).map((server) => server.close(0)));
});

/** A server whose unary handler records every call it runs (by channel and seq), answering after a little work. */
async function countingServer(runs: Map<string, number>, name: string, port = 0, onRun: (runs: number) => void = () => undefined): Promise<RpcServer> {
  const server = new RpcServer();
  server.addService(TestServiceDefinition, {
    ...defaultHandlers(),
    async unary(request: Payload): Promise<Payload> {
      const key = `${request.body.toString()}#${request.seq}`;
      runs.set(key, (runs.get(key) ?? 0) + 1);
      onRun(runs.size);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { body: Buffer.from(name), seq: request.seq };
    },
  });
  servers.push(server);
  await server.listen(port);
  return server;
}

test('2 connections x 64 pipelined calls through a graceful shutdown: each completes once, here or (retried) on the restarted server', async () => {
  const runs = new Map<string, number>();
  let someRan!: () => void;
  const ranSome = new Promise<void>((resolve) => (someRan = resolve));
  const first = await countingServer(runs, 'first', 0, (count) => count === 20 && someRan());
  const port = first.port;
  const clients = [0, 1].map((i) => {
    const channel = new Channel({ port, reconnect: { initialDelayMs: 10, maxDelayMs: 50 } });
    channels.push(channel);
    return { name: `channel${i}`, client: createClient(TestServiceDefinition, channel), channel };
  });
  await Promise.all(clients.map((c) => c.channel.connect()));

  const calls = clients.flatMap(({ name, client }) =>
    Array.from({ length: 64 }, (_, seq) =>
      client.unary({ body: Buffer.from(name), seq }).then(
        (reply) => ({ ok: true as const, by: reply.body.toString() }),
        (error: RpcError) => ({ ok: false as const, code: error.code, notProcessed: error.notProcessed, message: error.message }),
      ),
    ),
  );
  // Shut down once some calls ran: some are running, some are read, some are still on the wire.
  await ranSome;
  const closing = first.close(5000);
  const second = await countingServer(runs, 'second', port);
  const outcomes = await Promise.all(calls);
  await closing;

  for (const outcome of outcomes) {
    if (!outcome.ok) {
      expect(outcome).toMatchObject({ code: Status.UNAVAILABLE, notProcessed: true });
    }
  }
  // None lost, none run twice: every OK call ran exactly once, on one server or the other.
  const ok = outcomes.filter((o) => o.ok).length;
  expect(ok + outcomes.filter((o) => !o.ok).length).toBe(128);
  expect([...runs.values()].every((count) => count === 1)).toBe(true);
  expect(runs.size).toBe(ok);
  expect(ok).toBe(128);
  const bySecond = outcomes.filter((o) => o.ok && o.by === 'second').length;
  // Both paths were taken: calls finished on the first server within the grace, the rest ran on the second.
  expect(bySecond).toBeGreaterThan(0);
  expect(bySecond).toBeLessThan(128 - 19);
  await second.close(1000);
});

test('without a server to retry on, calls above the last accepted id fail UNAVAILABLE marked not processed, within retryWaitMs', async () => {
  const runs = new Map<string, number>();
  const server = await countingServer(runs, 'only');
  const channel = new Channel({ port: server.port, reconnect: false, retryWaitMs: 300 });
  channels.push(channel);
  await channel.connect();
  const client = createClient(TestServiceDefinition, channel);
  const calls = Array.from({ length: 64 }, (_, seq) =>
    client.unary({ body: Buffer.from('c'), seq }).then(
      () => 'OK',
      (error: RpcError) => (error.notProcessed ? 'not processed' : error.codeName),
    ),
  );
  await new Promise((resolve) => setImmediate(resolve));
  await server.close(5000);
  const outcomes = await Promise.all(calls);
  expect(outcomes.every((o) => o === 'OK' || o === 'not processed')).toBe(true);
  expect(outcomes.filter((o) => o === 'OK')).toHaveLength(runs.size);
});

test('a server stream the server never ran (above the GOAWAY last id) is sent again on the restarted server; the caller reads on', async () => {
  const runs = new Map<string, number>();
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let entered!: () => void;
  const sleepRunning = new Promise<void>((resolve) => (entered = resolve));
  const first = new RpcServer();
  first.addService(TestServiceDefinition, {
    ...defaultHandlers(),
    async sleep(request) {
      entered();
      await held; // keeps call 1 in flight, so the shutdown drains instead of closing at once
      return request;
    },
  });
  servers.push(first);
  await first.listen(0);
  const port = first.port;
  const channel = new Channel({ port, reconnect: { initialDelayMs: 10, maxDelayMs: 50 } });
  channels.push(channel);
  await channel.connect();
  const client = createClient(TestServiceDefinition, channel);
  const sleeping = client.sleep({ ms: 0, text: 'in flight' });
  // Shut down once call 1 runs, before the stream's CALL is sent: GOAWAY's last id (1) is below it, so it never ran here.
  await sleepRunning;
  const closing = first.close(5000);
  const stream = client.serverStream({ body: Buffer.from('again'), seq: 3 });
  const second = await countingServer(runs, 'second', port);
  const seqs: number[] = [];
  for await (const reply of stream) seqs.push(reply.seq);
  expect(seqs).toEqual([0, 1, 2]);
  release();
  expect((await sleeping).text).toBe('in flight');
  await closing;
  await second.close(1000);
});
