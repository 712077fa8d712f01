// Per-connection limits: too many calls, requests and responses over their size limits. Each refusal is a
// status on that call; the connection and the server carry on.
import { RpcError, Status, type CallContext } from '../../src';
import { aborted, deferred, startHarness, type Harness } from '../rpc/harness';
import type { Payload } from '../../generated/test/testing';

function failure(promise: Promise<unknown>): Promise<RpcError> {
  return promise.then(
    (value) => {
      throw new Error(`expected the call to fail, it returned ${JSON.stringify(value)}`);
    },
    (error: RpcError) => error,
  );
}

describe('limits', () => {
  let h: Harness;
  afterEach(() => h.close());

  test('maxConcurrentCalls exceeded: RESOURCE_EXHAUSTED, the connection survives, and calls work once others end', async () => {
    const release = deferred();
    const started: CallContext[] = [];
    const twoStarted = deferred();
    h = await startHarness(
      {
        async sleep(request, context) {
          started.push(context);
          if (started.length === 2) twoStarted.resolve();
          await release.promise;
          return request;
        },
      },
      { server: { maxConcurrentCalls: 2 } },
    );
    const connectionId = [...h.server.transport.connections.keys()][0];
    const held = [h.client.sleep({ ms: 0, text: 'a' }), h.client.sleep({ ms: 0, text: 'b' })];
    await twoStarted.promise;
    const refused = await failure(h.client.unary({ body: Buffer.alloc(0), seq: 3 }));
    expect(refused.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(refused.message).toMatch(/too many calls in flight on this connection \(maxConcurrentCalls 2\)/);
    // The limit is per connection: another connection is not affected.
    const other = await h.connect();
    expect((await other.client.unary({ body: Buffer.alloc(0), seq: 4 })).seq).toBe(4);
    release.resolve();
    expect((await Promise.all(held)).map((r) => r.text)).toEqual(['a', 'b']);
    expect((await h.client.unary({ body: Buffer.alloc(0), seq: 5 })).seq).toBe(5);
    expect([...h.server.transport.connections.keys()]).toContain(connectionId);
    expect(h.channel.state).toBe('open');
  });

  test('maxRequestBytes: a request over the limit is RESOURCE_EXHAUSTED, unary and streamed; the next call works', async () => {
    let handled = 0;
    h = await startHarness(
      {
        async unary(request) {
          handled++;
          return request;
        },
      },
      { server: { maxRequestBytes: 100 }, channel: { maxRequestBytes: 1_000_000 } },
    );
    const unary = await failure(h.client.unary({ body: Buffer.alloc(200), seq: 1 }));
    expect(unary.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(unary.message).toMatch(/request of \d+ bytes exceeds maxRequestBytes \(100\)/);
    expect(handled).toBe(0);
    const streamed = await failure(
      h.client.clientStream(
        (async function* (): AsyncIterable<Payload> {
          yield { body: Buffer.alloc(10), seq: 1 };
          yield { body: Buffer.alloc(200), seq: 2 };
        })(),
      ),
    );
    expect(streamed.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect((await h.client.unary({ body: Buffer.alloc(50), seq: 3 })).seq).toBe(3);
  });

  test('maxResponseBytes: a response over the limit is RESOURCE_EXHAUSTED at the caller, logged as a warning; the next call works', async () => {
    h = await startHarness({}, { server: { maxResponseBytes: 100 } });
    const error = await failure(h.client.unary({ body: Buffer.alloc(200), seq: 1 }));
    expect(error.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(error.message).toMatch(/response of \d+ bytes exceeds maxResponseBytes \(100\)/);
    expect(h.logger.warnings).toHaveLength(1);
    expect(h.logger.warnings[0].message).toMatch(/\/test.v1.TestService\/Unary/);
    expect(h.logger.errors).toEqual([]);
    expect((await h.client.unary({ body: Buffer.alloc(50), seq: 2 })).seq).toBe(2);
  });

  test('maxResponseBytes in a stream: messages before the big one arrive, then RESOURCE_EXHAUSTED; the generator is closed', async () => {
    const closed = deferred();
    let context: CallContext | undefined;
    h = await startHarness(
      {
        async *serverStream(_request, ctx) {
          context = ctx;
          try {
            yield { body: Buffer.alloc(10), seq: 0 };
            yield { body: Buffer.alloc(500), seq: 1 };
            yield { body: Buffer.alloc(10), seq: 2 };
          } finally {
            closed.resolve();
          }
        },
      },
      { server: { maxResponseBytes: 100 } },
    );
    const got: number[] = [];
    const error = await failure(
      (async () => {
        for await (const m of h.client.serverStream({ body: Buffer.alloc(0), seq: 0 })) got.push(m.seq);
      })(),
    );
    expect(got).toEqual([0]);
    expect(error.code).toBe(Status.RESOURCE_EXHAUSTED);
    await closed.promise;
    expect(await aborted(context!.signal)).toMatchObject({ code: Status.RESOURCE_EXHAUSTED });
    expect((await h.client.unary({ body: Buffer.alloc(5), seq: 9 })).seq).toBe(9);
  });

  test('invalid limit options are refused naming the option', async () => {
    const { RpcServer } = await import('../../src');
    expect(() => new RpcServer({ maxConcurrentCalls: 0 })).toThrow('server option maxConcurrentCalls must be a positive integer, got 0');
    expect(() => new RpcServer({ maxResponseBytes: 1.5 })).toThrow(/maxResponseBytes/);
    h = await startHarness();
  });
});
