// The first connect: calls fail fast when it fails (unless waitForReady), and waiting calls add no listeners each.
import * as net from 'node:net';
import { createChannel, createClient, RpcError, RpcServer, Status } from '../../src';
import type { Channel } from '../../src/client/channel';
import { recordWarnings, type WarningRecorder } from '../transport/process-warnings';
import { defaultHandlers, TestServiceDefinition } from '../rpc/harness';

const PAYLOAD = { body: Buffer.alloc(0), seq: 1 };

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function errorOf(call: Promise<unknown>): Promise<RpcError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RpcError);
  return error as RpcError;
}

describe('a call made while the first connect is under way', () => {
  const channels: Channel[] = [];
  const servers: RpcServer[] = [];
  let recorder: WarningRecorder;
  beforeEach(() => {
    recorder = recordWarnings();
  });
  afterEach(async () => {
    recorder.stop();
    for (const channel of channels.splice(0)) channel.close();
    for (const server of servers.splice(0)) await server.close(0);
  });
  const channelTo = (port: number): Channel => {
    const channel = createChannel(`127.0.0.1:${port}`);
    channels.push(channel);
    return channel;
  };
  const serverOn = async (port = 0): Promise<number> => {
    const server = new RpcServer();
    server.addService(TestServiceDefinition, defaultHandlers());
    servers.push(server);
    return (await server.listen(port)).port;
  };

  it('to a down endpoint, without a deadline: fails UNAVAILABLE naming the connect error when the first attempt fails', async () => {
    const channel = channelTo(await closedPort());
    const error = await errorOf(createClient(TestServiceDefinition, channel).unary(PAYLOAD));
    expect(error.code).toBe(Status.UNAVAILABLE);
    expect(error.message).toMatch(/could not connect.*connect to 127\.0\.0\.1:\d+ failed: .*ECONNREFUSED/);
    expect(channel.state).toBe('reconnecting'); // the channel keeps retrying; only the call gave up
  });

  it('to a down endpoint with waitForReady: keeps waiting through the retries, bounded by its deadline', async () => {
    const channel = channelTo(await closedPort());
    const started = Date.now();
    const error = await errorOf(createClient(TestServiceDefinition, channel).unary(PAYLOAD, { waitForReady: true, timeoutMs: 400 }));
    expect(error.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
  });

  it('with waitForReady and no deadline: succeeds once the server comes up', async () => {
    const port = await closedPort();
    const channel = channelTo(port);
    const call = createClient(TestServiceDefinition, channel).unary({ body: Buffer.from('late'), seq: 9 }, { waitForReady: true });
    await serverOn(port);
    expect((await call).seq).toBe(9);
  });

  it('to a live server: 50 calls waiting for the first connect all succeed, with no MaxListenersExceededWarning', async () => {
    const channel = channelTo(await serverOn());
    const client = createClient(TestServiceDefinition, channel);
    const stateListeners = channel.transport.listenerCount('state');
    const calls = Array.from({ length: 50 }, (_, i) => client.unary({ body: Buffer.alloc(0), seq: i }));
    expect(channel.transport.listenerCount('state')).toBe(stateListeners);
    expect((await Promise.all(calls)).map((reply) => reply.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(await recorder.named('MaxListenersExceededWarning')).toEqual([]);
  });

  it('50 waitForReady calls waiting through reconnects add no listener each (no MaxListenersExceededWarning)', async () => {
    const channel = channelTo(await closedPort());
    const client = createClient(TestServiceDefinition, channel);
    const before = { state: channel.transport.listenerCount('state'), connection: channel.transport.listenerCount('connection') };
    const calls = Array.from({ length: 50 }, () => errorOf(client.unary(PAYLOAD, { waitForReady: true, timeoutMs: 300 })));
    await new Promise((resolve) => setImmediate(resolve));
    expect(channel.transport.listenerCount('state')).toBe(before.state);
    expect(channel.transport.listenerCount('connection')).toBe(before.connection);
    for (const error of await Promise.all(calls)) expect(error.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(await recorder.named('MaxListenersExceededWarning')).toEqual([]);
  });
});
