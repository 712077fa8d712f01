// One call as the caller sees it: errors with code, details and the caller's stack; metadata both ways;
// cancellation from the caller's AbortSignal; client-streaming flow control.
import { Metadata, RpcError, Status, type CallContext } from '../../src';
import { aborted, countingRequests, deferred, startHarness, WINDOW_BODY, WINDOW_BYTES, WINDOW_MESSAGES, type Harness } from '../rpc/harness';
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

describe('errors at the caller', () => {
  let h: Harness;
  afterEach(() => h.close());

  test('an RpcError thrown by the handler arrives with its exact code, message and details, naming the method', async () => {
    h = await startHarness({
      async fail(request) {
        throw new RpcError(request.ms as Status, request.text, { details: `{"code":${request.ms}}` });
      },
    });
    for (let code = 1; code <= 16; code++) {
      const error = await failure(h.client.fail({ ms: code, text: `because ${code}` }));
      expect(error).toBeInstanceOf(RpcError);
      expect(error.code).toBe(code);
      expect(error.details).toBe(`{"code":${code}}`);
      expect(error.method).toBe('/test.v1.TestService/Fail');
      expect(error.message).toBe(`/test.v1.TestService/Fail failed with ${error.codeName}: because ${code}`);
    }
  });

  test("the error's stack contains the caller's frames (this test file), for unary and streaming calls", async () => {
    h = await startHarness({
      async fail() {
        throw new RpcError(Status.NOT_FOUND, 'nothing');
      },
      // eslint-disable-next-line require-yield
      async *serverStream() {
        throw new RpcError(Status.OUT_OF_RANGE, 'no more');
      },
    });
    async function unaryCallerFrame(): Promise<unknown> {
      return await h.client.fail({ ms: 0, text: '' });
    }
    async function streamCallerFrame(): Promise<void> {
      for await (const _ of h.client.serverStream(EMPTY)) {
        /* nothing */
      }
    }
    const unary = await failure(unaryCallerFrame());
    expect(unary.stack).toContain('client-call.test.ts');
    expect(unary.stack).toContain('unaryCallerFrame');
    expect(unary.stack).toMatch(/^RpcError: \/test.v1.TestService\/Fail failed with NOT_FOUND: nothing\n/);
    const stream = await failure(streamCallerFrame());
    expect(stream.code).toBe(Status.OUT_OF_RANGE);
    expect(stream.stack).toContain('streamCallerFrame');
  });

  test('a plain Error thrown by the handler (sync or async) is UNKNOWN with a generic message; the logger gets the real error', async () => {
    const secret = new Error('db password is hunter2');
    h = await startHarness({
      fail(request) {
        if (request.text === 'sync') throw secret;
        return Promise.reject(secret);
      },
    });
    for (const text of ['sync', 'async']) {
      const error = await failure(h.client.fail({ ms: 0, text }));
      expect(error.code).toBe(Status.UNKNOWN);
      expect(error.message).toBe('/test.v1.TestService/Fail failed with UNKNOWN: Unknown server error occurred');
      expect(error.details).toBe('');
      expect(error.message).not.toContain('hunter2');
      expect(error.stack).not.toContain('hunter2');
    }
    expect(h.logger.errors).toHaveLength(2);
    for (const entry of h.logger.errors) {
      expect(entry.error).toBe(secret);
      expect(entry.message).toContain('/test.v1.TestService/Fail');
    }
  });

  test('a streaming handler failing after some messages: the caller gets the messages, then the error', async () => {
    h = await startHarness({
      async *serverStream() {
        yield { body: Buffer.alloc(0), seq: 0 };
        yield { body: Buffer.alloc(0), seq: 1 };
        throw new TypeError('oops');
      },
    });
    const got: number[] = [];
    const error = await failure(
      (async () => {
        for await (const m of h.client.serverStream(EMPTY)) got.push(m.seq);
      })(),
    );
    expect(got).toEqual([0, 1]);
    expect(error.code).toBe(Status.UNKNOWN);
    expect(h.logger.errors.map((e) => (e.error as Error).message)).toEqual(['oops']);
  });

  test('a metadata value too large to encode fails the call with INVALID_ARGUMENT; nothing hangs and the channel works on', async () => {
    h = await startHarness();
    const metadata = { big: 'x'.repeat(70_000) };
    const unary = await failure(h.client.unary(EMPTY, { metadata }));
    expect(unary.code).toBe(Status.INVALID_ARGUMENT);
    expect(unary.message).toMatch(/\/test.v1.TestService\/Unary failed with INVALID_ARGUMENT: .*longer than 65535 bytes/);
    const stream = await failure(
      (async () => {
        for await (const _ of h.client.serverStream({ body: Buffer.alloc(0), seq: 3 }, { metadata })) {
          /* nothing */
        }
      })(),
    );
    expect(stream.code).toBe(Status.INVALID_ARGUMENT);
    const mux = (h.channel as unknown as { readyMultiplexer(): { callsInFlight: number } }).readyMultiplexer();
    expect(mux.callsInFlight).toBe(0);
    expect(await h.client.unary({ body: Buffer.from('ok'), seq: 1 })).toEqual({ body: Buffer.from('ok'), seq: 1 });
  });

  test('a response over the channel maxResponseBytes is RESOURCE_EXHAUSTED at the caller; the connection works on', async () => {
    h = await startHarness({}, { channel: { maxResponseBytes: 100 } });
    const error = await failure(h.client.unary({ body: Buffer.alloc(200), seq: 1 }));
    expect(error.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(error.message).toMatch(/exceeds maxResponseBytes \(100\)/);
    expect((await h.client.unary({ body: Buffer.alloc(10), seq: 2 })).seq).toBe(2);
  });

  test('a request over the channel maxRequestBytes fails before it is sent', async () => {
    let calls = 0;
    h = await startHarness(
      {
        async unary(r) {
          calls++;
          return r;
        },
      },
      { channel: { maxRequestBytes: 100 } },
    );
    const error = await failure(h.client.unary({ body: Buffer.alloc(200), seq: 1 }));
    expect(error.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(error.message).toMatch(/maxRequestBytes \(100\)/);
    expect(calls).toBe(0);
  });
});

describe('metadata', () => {
  let h: Harness;
  afterEach(() => h.close());

  test('string and -bin values travel from caller to handler (context.metadata)', async () => {
    let seen: Metadata | undefined;
    h = await startHarness({
      async unary(request, context) {
        seen = context.metadata;
        return request;
      },
    });
    const binary = Uint8Array.from([0, 1, 254, 255]);
    await h.client.unary(EMPTY, { metadata: { authorization: 'Bearer t0k3n', 'trace-bin': binary, multi: ['a', 'b'], 'utf-8': 'grüße' } });
    expect(seen?.get('authorization')).toBe('Bearer t0k3n');
    expect([...(seen?.get('trace-bin') as Uint8Array)]).toEqual([...binary]);
    expect(seen?.getAll('multi')).toEqual(['a', 'b']);
    expect(seen?.get('utf-8')).toBe('grüße');
    await h.client.unary(EMPTY, { metadata: new Metadata({ single: '1' }) });
    expect(seen?.toJSON()).toEqual({ single: '1' });
  });

  test('response headers (context.sendHeaders) reach onHeaders before the response; trailers reach onTrailers', async () => {
    h = await startHarness({
      async unary(request, context) {
        context.sendHeaders(new Metadata({ 'x-served-by': 'node-1', 'h-bin': new Uint8Array([7]) }));
        context.trailers.set('x-cost', '42');
        return request;
      },
      async *serverStream(request, context) {
        context.sendHeaders(new Metadata({ phase: 'start' }));
        for (let i = 0; i < request.seq; i++) yield { body: Buffer.alloc(0), seq: i };
        context.trailers.add('count', String(request.seq)).add('end-bin', new Uint8Array([1, 2]));
      },
    });
    const events: string[] = [];
    const reply = await h.client.unary(EMPTY, {
      onHeaders: (headers) => events.push(`headers ${headers.get('x-served-by')} ${[...(headers.get('h-bin') as Uint8Array)]}`),
      onTrailers: (trailers) => events.push(`trailers ${trailers.get('x-cost')}`),
    });
    events.push(`reply ${reply.seq}`);
    expect(events).toEqual(['headers node-1 7', 'trailers 42', 'reply 0']);

    events.length = 0;
    for await (const m of h.client.serverStream(
      { body: Buffer.alloc(0), seq: 2 },
      {
        onHeaders: (headers) => events.push(`headers ${headers.get('phase')}`),
        onTrailers: (trailers) => events.push(`trailers ${trailers.get('count')} ${[...(trailers.get('end-bin') as Uint8Array)]}`),
      },
    ))
      events.push(`message ${m.seq}`);
    // onTrailers fires when the STATUS arrives, which may be before the consumer has read the buffered messages.
    expect(events[0]).toBe('headers start');
    expect(events.filter((e) => e.startsWith('message'))).toEqual(['message 0', 'message 1']);
    expect(events).toContain('trailers 2 1,2');
  });

  test('headers can be sent at most once; a stream sends them implicitly with its first message', async () => {
    const outcomes: string[] = [];
    h = await startHarness({
      async unary(request, context) {
        context.sendHeaders(new Metadata({ a: '1' }));
        try {
          context.sendHeaders(new Metadata({ a: '2' }));
        } catch (error) {
          outcomes.push((error as Error).message);
        }
        return request;
      },
      async *serverStream(_request, context) {
        yield EMPTY;
        try {
          context.sendHeaders(new Metadata({ late: '1' }));
        } catch (error) {
          outcomes.push((error as Error).message);
        }
      },
    });
    const headers: Metadata[] = [];
    await h.client.unary(EMPTY, { onHeaders: (m) => headers.push(m) });
    for await (const _ of h.client.serverStream(EMPTY, { onHeaders: (m) => headers.push(m) })) {
      /* drain */
    }
    expect(headers.map((m) => m.toJSON())).toEqual([{ a: '1' }]);
    expect(outcomes).toEqual(['response headers were already sent for this call', 'response headers were already sent for this call']);
  });

  test('trailers on errors: RpcError metadata and context.trailers both reach the caller', async () => {
    h = await startHarness({
      async fail(_request, context) {
        context.trailers.set('from-context', 'yes');
        throw new RpcError(Status.FAILED_PRECONDITION, 'not yet', { details: 'd', metadata: new Metadata({ 'retry-after': '5', 'why-bin': new Uint8Array([9]) }) });
      },
    });
    let onTrailers: Metadata | undefined;
    const error = await failure(h.client.fail({ ms: 0, text: '' }, { onTrailers: (t) => (onTrailers = t) }));
    expect(error.code).toBe(Status.FAILED_PRECONDITION);
    expect(error.metadata?.get('retry-after')).toBe('5');
    expect([...(error.metadata?.get('why-bin') as Uint8Array)]).toEqual([9]);
    expect(error.metadata?.get('from-context')).toBe('yes');
    expect(onTrailers).toBe(error.metadata);
  });
});

describe('cancellation by the caller', () => {
  let h: Harness;
  afterEach(() => h.close());

  test("aborting the caller's signal: CANCELLED at once, and the handler's signal fires", async () => {
    const started = deferred<CallContext>();
    h = await startHarness({
      async sleep(request, context) {
        started.resolve(context);
        await new Promise(() => undefined); // never answers: only the cancel can end this call
        return request;
      },
    });
    const controller = new AbortController();
    const call = failure(h.client.sleep({ ms: 0, text: '' }, { signal: controller.signal }));
    const context = await started.promise;
    controller.abort();
    const error = await call;
    expect(error.code).toBe(Status.CANCELLED);
    expect(error.message).toMatch(/aborted/);
    expect(await aborted(context.signal)).toMatchObject({ code: Status.CANCELLED, message: 'the caller cancelled the call' });
    expect(context.aborted).toBe(true);
    expect(await h.client.unary({ body: Buffer.alloc(0), seq: 5 })).toMatchObject({ seq: 5 });
  });

  test('an already aborted signal cancels the call before any answer', async () => {
    h = await startHarness();
    const error = await failure(h.client.unary(EMPTY, { signal: AbortSignal.abort() }));
    expect(error.code).toBe(Status.CANCELLED);
  });

  test('breaking out of a server-streaming for-await cancels the call server-side', async () => {
    const cleanedUp = deferred();
    let context: CallContext | undefined;
    h = await startHarness({
      async *serverStream(_request, ctx) {
        context = ctx;
        try {
          for (let i = 0; ; i++) yield { body: Buffer.alloc(0), seq: i };
        } finally {
          cleanedUp.resolve();
        }
      },
    });
    const got: number[] = [];
    for await (const m of h.client.serverStream(EMPTY)) {
      got.push(m.seq);
      if (got.length === 3) break;
    }
    expect(got).toEqual([0, 1, 2]);
    await cleanedUp.promise;
    expect(await aborted(context!.signal)).toMatchObject({ code: Status.CANCELLED });
    expect(h.server.transport.connections.values().next().value!.workInFlight).toBe(0);
  });

  test('aborting a bidi call ends both directions', async () => {
    const started = deferred<CallContext>();
    h = await startHarness({
      async *bidi(requests, context) {
        started.resolve(context);
        for await (const r of requests) yield r;
      },
    });
    const controller = new AbortController();
    let pulled = 0;
    const requests = (async function* () {
      yield { body: Buffer.alloc(0), seq: 1 };
      pulled++;
      await new Promise(() => undefined); // the caller never sends more
    })();
    const error = await failure(
      (async () => {
        for await (const m of h.client.bidi(requests, { signal: controller.signal })) {
          expect(m.seq).toBe(1);
          controller.abort();
        }
      })(),
    );
    expect(error.code).toBe(Status.CANCELLED);
    await aborted((await started.promise).signal);
    expect(pulled).toBeLessThanOrEqual(1);
  });
});

describe('client-streaming flow control', () => {
  let h: Harness;
  afterEach(() => h.close());

  test('the client pulls its request stream at most the window (64 messages of 1 KB) ahead of the handler', async () => {
    const total = 300;
    const counter = { pulled: 0 };
    const reachedWindow = deferred();
    let consumed = 0;
    let maxLead = 0;
    let pulledBeforeConsuming = -1;
    const requests = (async function* () {
      for await (const r of countingRequests(total, counter, WINDOW_BODY)) {
        maxLead = Math.max(maxLead, counter.pulled - consumed);
        if (counter.pulled === WINDOW_MESSAGES) reachedWindow.resolve();
        yield r;
      }
    })();
    h = await startHarness(
      {
        async clientStream(stream) {
          await reachedWindow.promise;
          // Give a producer that ignores the window every chance to run ahead before anything is consumed.
          for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
          pulledBeforeConsuming = counter.pulled;
          let total = 0;
          for await (const r of stream) {
            consumed++;
            total += r.seq;
            await new Promise((resolve) => setImmediate(resolve)); // a slow consumer
          }
          return { total, count: consumed };
        },
      },
      { server: { streamWindowBytes: WINDOW_BYTES } },
    );
    const sum = await h.client.clientStream(requests);
    expect(sum).toEqual({ total: (total * (total - 1)) / 2, count: total });
    expect(pulledBeforeConsuming).toBe(WINDOW_MESSAGES);
    // The grant for a message comes as the handler takes it, a moment before it counts it here.
    expect(maxLead).toBeLessThanOrEqual(WINDOW_MESSAGES + 1);
    expect(maxLead).toBeGreaterThanOrEqual(WINDOW_MESSAGES);
  });

  test('a handler that answers without reading the whole request stream ends the call; the client stops pulling', async () => {
    h = await startHarness(
      {
        async clientStream(stream) {
          for await (const r of stream) if (r.seq === 2) break;
          return { total: 2, count: 3 };
        },
      },
      { server: { streamWindowBytes: WINDOW_BYTES } },
    );
    const counter = { pulled: 0 };
    expect(await h.client.clientStream(countingRequests(100_000, counter, WINDOW_BODY))).toEqual({ total: 2, count: 3 });
    expect(counter.pulled).toBeLessThan(1000);
  });

  test('a request stream that throws cancels the call', async () => {
    const started = deferred<CallContext>();
    h = await startHarness({
      async clientStream(stream, context) {
        started.resolve(context);
        for await (const _ of stream) {
          /* read all */
        }
        return { total: 0, count: 0 };
      },
    });
    const requests = (async function* () {
      yield { body: Buffer.alloc(0), seq: 1 };
      await started.promise;
      throw new Error('source broke');
    })();
    const error = await failure(h.client.clientStream(requests));
    expect(error.code).toBe(Status.CANCELLED);
    expect(error.message).toMatch(/the request stream failed: source broke/);
    await aborted((await started.promise).signal);
  });
});
