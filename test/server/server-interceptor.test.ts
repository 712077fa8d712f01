// Server interceptors: code around every handler (auth from metadata, timing), first one outermost.
import { RpcError, Status, type CallContext, type ServerInterceptor } from '../../src';
import { startHarness, type Harness } from '../rpc/harness';

function failure(promise: Promise<unknown>): Promise<RpcError> {
  return promise.then(
    (value) => {
      throw new Error(`expected the call to fail, it returned ${JSON.stringify(value)}`);
    },
    (error: RpcError) => error,
  );
}

const auth: ServerInterceptor = async (context, next) => {
  if (context.metadata.get('authorization') !== 'Bearer secret') throw new RpcError(Status.UNAUTHENTICATED, 'missing or wrong token');
  return next();
};

describe('server interceptors', () => {
  let h: Harness;
  afterEach(() => h.close());

  test('auth from metadata: UNAUTHENTICATED without the token, the handler never runs; with it the call succeeds', async () => {
    let handled = 0;
    h = await startHarness(
      {
        async unary(request) {
          handled++;
          return request;
        },
        async *serverStream() {
          handled++;
          yield { body: Buffer.alloc(0), seq: 1 };
        },
      },
      { server: { interceptors: [auth] } },
    );
    const refused = await failure(h.client.unary({ body: Buffer.alloc(0), seq: 1 }));
    expect(refused.code).toBe(Status.UNAUTHENTICATED);
    expect(refused.message).toBe('/test.v1.TestService/Unary failed with UNAUTHENTICATED: missing or wrong token');
    const refusedStream = await failure(
      (async () => {
        for await (const _ of h.client.serverStream({ body: Buffer.alloc(0), seq: 1 })) {
          /* nothing */
        }
      })(),
    );
    expect(refusedStream.code).toBe(Status.UNAUTHENTICATED);
    expect(handled).toBe(0);
    const metadata = { authorization: 'Bearer secret' };
    expect((await h.client.unary({ body: Buffer.alloc(0), seq: 2 }, { metadata })).seq).toBe(2);
    const seqs: number[] = [];
    for await (const m of h.client.serverStream({ body: Buffer.alloc(0), seq: 1 }, { metadata })) seqs.push(m.seq);
    expect(seqs).toEqual([1]);
    expect(handled).toBe(2);
    expect(h.logger.errors).toEqual([]);
  });

  test('timing: next() resolves with the unary response, or when a stream is done; errors pass through it', async () => {
    const log: { method: string; outcome: string; ms: number }[] = [];
    const timing: ServerInterceptor = async (context, next) => {
      const start = Date.now();
      try {
        const result = await next();
        log.push({ method: context.method, outcome: `ok ${JSON.stringify(result === undefined ? null : ((result as { seq?: number }).seq ?? null))}`, ms: Date.now() - start });
        return result;
      } catch (error) {
        log.push({ method: context.method, outcome: `error ${(error as RpcError).code}`, ms: Date.now() - start });
        throw error;
      }
    };
    h = await startHarness(
      {
        async fail() {
          throw new RpcError(Status.ABORTED, 'no');
        },
      },
      { server: { interceptors: [timing] } },
    );
    await h.client.sleep({ ms: 30, text: '' });
    await h.client.unary({ body: Buffer.alloc(0), seq: 7 });
    for await (const _ of h.client.serverStream({ body: Buffer.alloc(0), seq: 3 })) {
      /* drain */
    }
    await failure(h.client.fail({ ms: 0, text: '' }));
    expect(log.map((e) => `${e.method} ${e.outcome}`)).toEqual([
      '/test.v1.TestService/Sleep ok null',
      '/test.v1.TestService/Unary ok 7',
      '/test.v1.TestService/ServerStream ok null',
      `/test.v1.TestService/Fail error ${Status.ABORTED}`,
    ]);
    expect(log[0].ms).toBeGreaterThanOrEqual(25);
  });

  test('composition: options interceptors first (outermost), then use(), in order', async () => {
    const order: string[] = [];
    const named =
      (name: string): ServerInterceptor =>
      async (_context: CallContext, next) => {
        order.push(`${name} in`);
        const result = await next();
        order.push(`${name} out`);
        return result;
      };
    h = await startHarness(
      {
        async unary(request) {
          order.push('handler');
          return request;
        },
      },
      { server: { interceptors: [named('a'), named('b')] } },
    );
    h.server.use(named('c'));
    await h.client.unary({ body: Buffer.alloc(0), seq: 1 });
    expect(order).toEqual(['a in', 'b in', 'c in', 'handler', 'c out', 'b out', 'a out']);
  });

  test('an interceptor may answer without calling the handler, and a plain Error from it is UNKNOWN and logged', async () => {
    let handled = 0;
    const cache: ServerInterceptor = async (context, next) => {
      if (context.metadata.get('cached') === 'yes') return { body: Buffer.from('cached'), seq: 99 };
      if (context.metadata.get('crash') === 'yes') throw new Error('interceptor bug');
      return next();
    };
    h = await startHarness(
      {
        async unary(request) {
          handled++;
          return request;
        },
      },
      { server: { interceptors: [cache] } },
    );
    expect(await h.client.unary({ body: Buffer.alloc(0), seq: 1 }, { metadata: { cached: 'yes' } })).toEqual({ body: Buffer.from('cached'), seq: 99 });
    const crashed = await failure(h.client.unary({ body: Buffer.alloc(0), seq: 1 }, { metadata: { crash: 'yes' } }));
    expect(crashed.code).toBe(Status.UNKNOWN);
    expect(h.logger.errors.map((e) => (e.error as Error).message)).toEqual(['interceptor bug']);
    expect(handled).toBe(0);
  });
  test('an interceptor calling next() again runs the inner interceptors and the handler again', async () => {
    let handled = 0;
    const inner: number[] = [];
    const retry: ServerInterceptor = async (_context, next) => {
      try {
        return await next();
      } catch {
        return next();
      }
    };
    const count: ServerInterceptor = (_context, next) => {
      inner.push(handled);
      return next();
    };
    h = await startHarness(
      {
        async unary(request) {
          if (++handled === 1) throw new RpcError(Status.UNAVAILABLE, 'first attempt');
          return { ...request, seq: handled };
        },
      },
      { server: { interceptors: [retry, count] } },
    );
    await expect(h.client.unary({ body: Buffer.alloc(0), seq: 1 })).resolves.toMatchObject({ seq: 2 });
    expect(inner).toEqual([0, 1]);
  });
});
