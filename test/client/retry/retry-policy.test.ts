// Retries over real sockets: only safe methods (per .proto or options), bounded by attempts, deadline and budget.
import { WorkServiceDefinition, type WorkReply, type WorkRequest } from '../../../generated/test/balancing';
import { BalancedChannel, RpcError, RpcServer, Status, createClient, type BalancedChannelOptions } from '../../../src';
import { idempotencyLevel } from '../../../src/client/retry/retry-policy';
import { recordingLogger } from '../../rpc/harness';

/** Fails a key's first `count` runs with `failCode`; Watch fails after its first message when `ms` is 1. */
function flakyService(runs: Map<string, number>) {
  const run = (request: WorkRequest): WorkReply => {
    const n = (runs.get(request.key) ?? 0) + 1;
    runs.set(request.key, n);
    if (n <= request.count) throw new RpcError(request.failCode as Status, `run ${n} of ${request.key} fails`);
    return { server: 'flaky', executions: n, seq: 0 };
  };
  return {
    read: run,
    put: run,
    charge: run,
    relay: run,
    async *watch(request: WorkRequest): AsyncIterable<WorkReply> {
      const n = (runs.get(request.key) ?? 0) + 1;
      runs.set(request.key, n);
      if (n <= request.count && request.ms === 0) throw new RpcError(request.failCode as Status, `run ${n} fails before any message`);
      yield { server: 'flaky', executions: n, seq: 1 };
      if (n <= request.count) throw new RpcError(request.failCode as Status, `run ${n} fails after a message`);
      yield { server: 'flaky', executions: n, seq: 2 };
    },
  };
}

describe('retry policy', () => {
  let server: RpcServer;
  let address: string;
  const runs = new Map<string, number>();
  const channels: BalancedChannel[] = [];
  const UNAVAILABLE = Status.UNAVAILABLE;

  beforeAll(async () => {
    server = new RpcServer({ logger: recordingLogger() }).addService(WorkServiceDefinition, flakyService(runs));
    address = `127.0.0.1:${(await server.listen(0)).port}`;
  });
  afterAll(async () => {
    for (const channel of channels) channel.close();
    await server.close(0);
  });

  function client(retry: BalancedChannelOptions['retry'] = { initialBackoffMs: 1, maxBackoffMs: 5 }) {
    const channel = new BalancedChannel({ endpoints: [address], retry });
    channels.push(channel);
    return { channel, client: createClient(WorkServiceDefinition, channel) };
  }

  it('reads the idempotency level ts-proto puts in the generated method options', () => {
    expect(idempotencyLevel(WorkServiceDefinition.methods.read)).toBe('NO_SIDE_EFFECTS');
    expect(idempotencyLevel(WorkServiceDefinition.methods.put)).toBe('IDEMPOTENT');
    expect(idempotencyLevel(WorkServiceDefinition.methods.charge)).toBeUndefined();
  });

  it('retries NO_SIDE_EFFECTS and IDEMPOTENT methods on UNAVAILABLE until they succeed', async () => {
    const { client: c } = client();
    expect((await c.read({ key: 'read-2', count: 2, failCode: UNAVAILABLE })).executions).toBe(3);
    expect((await c.put({ key: 'put-1', count: 1, failCode: UNAVAILABLE })).executions).toBe(2);
  });

  it('never retries a method the .proto does not mark safe', async () => {
    const { client: c } = client();
    const error = await c.charge({ key: 'charge-1', count: 1, failCode: UNAVAILABLE }).catch((e: RpcError) => e);
    expect((error as RpcError).code).toBe(UNAVAILABLE);
    expect(runs.get('charge-1')).toBe(1);
  });

  it('treats safeMethods as safe and unsafeMethods as unsafe, whatever the .proto says', async () => {
    const { client: c } = client({ initialBackoffMs: 1, safeMethods: ['/test.v1.WorkService/Charge'], unsafeMethods: ['/test.v1.WorkService/Read'] });
    expect((await c.charge({ key: 'charge-safe', count: 1, failCode: UNAVAILABLE })).executions).toBe(2);
    await expect(c.read({ key: 'read-unsafe', count: 1, failCode: UNAVAILABLE })).rejects.toMatchObject({ code: UNAVAILABLE });
    expect(runs.get('read-unsafe')).toBe(1);
  });

  it('stops at maxAttempts, and never retries a code not listed as retryable', async () => {
    const { client: c } = client({ maxAttempts: 3, initialBackoffMs: 1 });
    await expect(c.put({ key: 'put-5', count: 5, failCode: UNAVAILABLE })).rejects.toMatchObject({ code: UNAVAILABLE });
    expect(runs.get('put-5')).toBe(3);
    await expect(c.read({ key: 'read-internal', count: 1, failCode: Status.INTERNAL })).rejects.toMatchObject({ code: Status.INTERNAL });
    expect(runs.get('read-internal')).toBe(1);
    const { client: more } = client({ maxAttempts: 5, initialBackoffMs: 1, retryableCodes: [Status.INTERNAL] });
    expect((await more.read({ key: 'read-internal-listed', count: 2, failCode: Status.INTERNAL })).executions).toBe(3);
  });

  it('keeps every attempt within the call deadline', async () => {
    // 100 attempts with backoffs of up to 40 ms would take about 2 s; the 200 ms deadline ends them first.
    const { client: c } = client({ maxAttempts: 100, initialBackoffMs: 40, maxBackoffMs: 40, backoffMultiplier: 1 });
    const started = Date.now();
    const error = (await c.read({ key: 'read-deadline', count: 1000, failCode: UNAVAILABLE }, { timeoutMs: 200 }).catch((e: RpcError) => e)) as RpcError;
    // The last attempt's UNAVAILABLE when the next backoff would pass the deadline; DEADLINE_EXCEEDED when it passed during an attempt.
    expect([UNAVAILABLE, Status.DEADLINE_EXCEEDED]).toContain(error.code);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(runs.get('read-deadline')!).toBeLessThan(100);
  });

  it('stops retrying when the budget (retry throttling) runs low, and earns it back with successes', async () => {
    const { channel, client: c } = client({ maxAttempts: 5, initialBackoffMs: 1, throttle: { maxTokens: 4, tokenRatio: 1 } });
    // Each failed attempt spends a token; at 2 of 4 left retries stop.
    await expect(c.read({ key: 'budget-a', count: 100, failCode: UNAVAILABLE })).rejects.toMatchObject({ code: UNAVAILABLE });
    expect(runs.get('budget-a')).toBe(2);
    await expect(c.read({ key: 'budget-b', count: 100, failCode: UNAVAILABLE })).rejects.toMatchObject({ code: UNAVAILABLE });
    expect(runs.get('budget-b')).toBe(1);
    expect(channel.retry!.stats.throttled).toBe(2);
    for (let i = 0; i < 3; i++) await c.read({ key: `budget-ok-${i}` });
    expect(channel.retry!.throttle!.tokenCount).toBe(4);
    expect((await c.read({ key: 'budget-c', count: 1, failCode: UNAVAILABLE })).executions).toBe(2);
  });

  it('retries a server stream that fails before its first message, never after', async () => {
    const { client: c } = client();
    const before: number[] = [];
    for await (const reply of c.watch({ key: 'watch-before', count: 1, failCode: UNAVAILABLE })) before.push(reply.seq);
    expect(before).toEqual([1, 2]);
    expect(runs.get('watch-before')).toBe(2);
    const after: number[] = [];
    const failing = (async () => {
      for await (const reply of c.watch({ key: 'watch-after', count: 1, failCode: UNAVAILABLE, ms: 1 })) after.push(reply.seq);
    })();
    await expect(failing).rejects.toMatchObject({ code: UNAVAILABLE });
    expect(after).toEqual([1]);
    expect(runs.get('watch-after')).toBe(1);
  });

  it('with retry: false, fails at the first error', async () => {
    const { client: c } = client(false);
    await expect(c.read({ key: 'read-off', count: 1, failCode: UNAVAILABLE })).rejects.toMatchObject({ code: UNAVAILABLE });
    expect(runs.get('read-off')).toBe(1);
  });
});
