// One call on the server: deadline and cancellation reach the handler; a server stream is pulled under
// flow control; whatever the handler does after its call ended is dropped.
import { RpcError, Status, type CallContext } from '../../src';
import { aborted, deferred, startHarness, WINDOW_BODY, WINDOW_BYTES, WINDOW_MESSAGES, type Harness } from '../rpc/harness';
import type { Payload } from '../../generated/test/testing';

function failure(promise: Promise<unknown>): Promise<RpcError> {
  return promise.then(
    (value) => {
      throw new Error(`expected the call to fail, it returned ${JSON.stringify(value)}`);
    },
    (error: RpcError) => error,
  );
}

const EMPTY: Payload = { body: Buffer.alloc(0), seq: 0 };
const settle = async (turns = 20): Promise<void> => {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('deadlines', () => {
  let h: Harness;
  afterEach(() => h.close());

  test('timeoutMs travels: the handler sees deadline and remainingMs, its signal fires at the deadline, the caller gets DEADLINE_EXCEEDED', async () => {
    const seen = deferred<{ context: CallContext; deadline: number | undefined; remainingMs: number; at: number }>();
    h = await startHarness({
      async sleep(request, context) {
        seen.resolve({ context, deadline: context.deadline, remainingMs: context.remainingMs, at: Date.now() });
        await aborted(context.signal);
        return request;
      },
    });
    const before = Date.now();
    const error = await failure(h.client.sleep({ ms: 0, text: '' }, { timeoutMs: 150 }));
    const elapsed = Date.now() - before;
    expect(error.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(error.message).toMatch(/\/test.v1.TestService\/Sleep failed with DEADLINE_EXCEEDED: deadline of 150 ms exceeded/);
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(1000);
    const { context, deadline, remainingMs, at } = await seen.promise;
    expect(deadline).toBeGreaterThanOrEqual(before + 140);
    expect(deadline).toBeLessThanOrEqual(at + 150);
    expect(remainingMs).toBeGreaterThan(100);
    expect(remainingMs).toBeLessThanOrEqual(150);
    // Both ends time the call: the caller's timer (which sends CANCEL) and the server's usually fire within
    // a millisecond of each other, so the handler's signal reason is either code. test/server/bad-input
    // checks the server's own deadline with a raw client that has no timer.
    const reason = (await aborted(context.signal)) as RpcError;
    expect([Status.DEADLINE_EXCEEDED, Status.CANCELLED]).toContain(reason.code);
    expect(context.remainingMs).toBeLessThan(5);
  });

  test('an absolute deadline option works the same; no deadline means undefined and Infinity', async () => {
    const seen: (number | undefined)[] = [];
    let remaining = 0;
    h = await startHarness({
      async unary(request, context) {
        seen.push(context.deadline);
        remaining = context.remainingMs;
        return request;
      },
    });
    await h.client.unary(EMPTY);
    expect(seen[0]).toBeUndefined();
    expect(remaining).toBe(Infinity);
    const at = Date.now() + 5000;
    await h.client.unary(EMPTY, { deadline: new Date(at) });
    expect(seen[1]).toBeGreaterThan(at - 100);
    expect(seen[1]).toBeLessThanOrEqual(at + 5);
    await h.client.unary(EMPTY, { deadline: at, timeoutMs: 1000 });
    expect(seen[2]).toBeLessThan(at - 3000);
  });

  test('a server stream past its deadline ends with DEADLINE_EXCEEDED after the messages sent so far', async () => {
    h = await startHarness({
      async *serverStream(_request, context) {
        yield { body: Buffer.alloc(0), seq: 0 };
        await aborted(context.signal);
        yield { body: Buffer.alloc(0), seq: 1 };
      },
    });
    const got: number[] = [];
    const error = await failure(
      (async () => {
        for await (const m of h.client.serverStream(EMPTY, { timeoutMs: 100 })) got.push(m.seq);
      })(),
    );
    expect(got).toEqual([0]);
    expect(error.code).toBe(Status.DEADLINE_EXCEEDED);
  });

  test('a handler that answers after its deadline is ignored, and the connection carries on', async () => {
    const late = deferred();
    h = await startHarness({
      async sleep(request, context) {
        await aborted(context.signal);
        late.resolve();
        return request; // too late: already answered with DEADLINE_EXCEEDED
      },
    });
    expect((await failure(h.client.sleep({ ms: 0, text: '' }, { timeoutMs: 30 }))).code).toBe(Status.DEADLINE_EXCEEDED);
    await late.promise;
    expect(await h.client.unary({ body: Buffer.from('next'), seq: 1 })).toEqual({ body: Buffer.from('next'), seq: 1 });
    expect(h.logger.errors).toEqual([]);
  });
});

describe('server-streaming flow control', () => {
  let h: Harness;
  afterEach(() => h.close());

  test("the handler's generator is never pulled more than the window (64 messages of 1 KB) ahead of a slow consumer", async () => {
    const total = 300;
    let produced = 0;
    let consumed = 0;
    let maxLead = 0;
    const reachedWindow = deferred();
    h = await startHarness(
      {
        async *serverStream() {
          for (let i = 0; i < total; i++) {
            produced++;
            maxLead = Math.max(maxLead, produced - consumed);
            if (produced === WINDOW_MESSAGES) reachedWindow.resolve();
            yield { body: WINDOW_BODY, seq: i };
          }
        },
      },
      { channel: { streamWindowBytes: WINDOW_BYTES } },
    );
    const stream = h.client.serverStream(EMPTY)[Symbol.asyncIterator]();
    const first = stream.next(); // starts the call
    await reachedWindow.promise;
    await settle(); // a producer that ignored the window would run ahead now
    expect(produced).toBe(WINDOW_MESSAGES);
    const seqs: number[] = [];
    let next = await first;
    while (!next.done) {
      consumed++;
      seqs.push(next.value.seq);
      await new Promise((resolve) => setImmediate(resolve)); // a slow consumer
      next = await stream.next();
    }
    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(maxLead).toBeLessThanOrEqual(WINDOW_MESSAGES + 1);
  });

  test('bidi: responses are flow-controlled too', async () => {
    let produced = 0;
    const reachedWindow = deferred();
    h = await startHarness(
      {
        async *bidi(requests) {
          for await (const r of requests) {
            for (let i = 0; i < 200; i++) {
              produced++;
              if (produced === WINDOW_MESSAGES) reachedWindow.resolve();
              yield { body: WINDOW_BODY, seq: r.seq * 1000 + i };
            }
          }
        },
      },
      { channel: { streamWindowBytes: WINDOW_BYTES } },
    );
    const stream = h.client
      .bidi(
        (async function* () {
          yield { body: Buffer.alloc(0), seq: 1 };
        })(),
      )
      [Symbol.asyncIterator]();
    const first = stream.next();
    await reachedWindow.promise;
    await settle();
    expect(produced).toBe(WINDOW_MESSAGES);
    let count = 0;
    for (let next = await first; !next.done; next = await stream.next()) count++;
    expect(count).toBe(200);
  });
});

describe('cancellation seen by the handler', () => {
  let h: Harness;
  afterEach(() => h.close());

  test('a server-streaming handler blocked on flow control is released and its generator closed when the caller cancels', async () => {
    const closed = deferred();
    const reachedWindow = deferred();
    let produced = 0;
    let context: CallContext | undefined;
    h = await startHarness(
      {
        async *serverStream(_request, ctx) {
          context = ctx;
          try {
            for (;;) {
              produced++;
              if (produced === WINDOW_MESSAGES) reachedWindow.resolve();
              yield { body: WINDOW_BODY, seq: produced };
            }
          } finally {
            closed.resolve();
          }
        },
      },
      { channel: { streamWindowBytes: WINDOW_BYTES } },
    );
    const controller = new AbortController();
    const stream = h.client.serverStream(EMPTY, { signal: controller.signal })[Symbol.asyncIterator]();
    const first = stream.next();
    await reachedWindow.promise;
    controller.abort();
    // Messages already buffered are still delivered; otherwise the stream fails with CANCELLED.
    const outcome = await first.then(
      (r) => `message ${r.value?.seq}`,
      (error: RpcError) => `error ${error.code}`,
    );
    expect(['message 1', `error ${Status.CANCELLED}`]).toContain(outcome);
    await closed.promise;
    expect(await aborted(context!.signal)).toMatchObject({ code: Status.CANCELLED });
    expect(produced).toBe(WINDOW_MESSAGES);
  });

  test('a client-streaming handler reading its input sees the cancel as an error from the stream', async () => {
    const readError = deferred<unknown>();
    const started = deferred();
    h = await startHarness({
      async clientStream(requests) {
        try {
          for await (const _ of requests) started.resolve();
        } catch (error) {
          readError.resolve(error);
          throw error;
        }
        return { total: 0, count: 0 };
      },
    });
    const controller = new AbortController();
    const call = failure(
      h.client.clientStream(
        (async function* () {
          yield { body: Buffer.alloc(0), seq: 1 };
          await new Promise(() => undefined);
        })(),
        { signal: controller.signal },
      ),
    );
    await started.promise;
    controller.abort();
    expect((await call).code).toBe(Status.CANCELLED);
    expect(await readError.promise).toMatchObject({ code: Status.CANCELLED });
    expect(h.logger.errors).toEqual([]); // the handler's rethrow after the cancel is not logged
  });
});

describe('errors thrown by handlers of each kind', () => {
  let h: Harness;
  afterEach(() => h.close());

  test('a non-Error value thrown is UNKNOWN and logged', async () => {
    h = await startHarness({
      async fail() {
        throw 'a string';
      },
    });
    const error = await failure(h.client.fail({ ms: 0, text: '' }));
    expect(error.code).toBe(Status.UNKNOWN);
    expect(h.logger.errors.map((e) => e.error)).toEqual(['a string']);
  });

  test('a client-streaming handler throwing an RpcError after reading', async () => {
    h = await startHarness({
      async clientStream(requests) {
        for await (const r of requests) if (r.seq === 3) throw new RpcError(Status.INVALID_ARGUMENT, 'seq 3 is not allowed', { details: 'seq=3' });
        return { total: 0, count: 0 };
      },
    });
    const error = await failure(
      h.client.clientStream(
        (async function* () {
          for (let i = 0; i < 10; i++) yield { body: Buffer.alloc(0), seq: i };
        })(),
      ),
    );
    expect(error).toMatchObject({ code: Status.INVALID_ARGUMENT, details: 'seq=3' });
    expect(h.logger.errors).toEqual([]);
  });

  test('a streaming method whose handler returns something that is not iterable is UNKNOWN and logged', async () => {
    h = await startHarness({
      serverStream: (() => 42) as never,
    });
    const error = await failure(
      (async () => {
        for await (const _ of h.client.serverStream(EMPTY)) {
          /* nothing */
        }
      })(),
    );
    expect(error.code).toBe(Status.UNKNOWN);
    expect(h.logger.errors).toHaveLength(1);
  });
});
