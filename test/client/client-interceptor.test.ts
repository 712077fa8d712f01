// Client interceptors: code around every call on a channel (add metadata, observe results), first outermost.
import { Metadata, RpcError, Status, createClient, type ClientInterceptor } from '../../src';
import { startHarness, TestServiceDefinition, type Harness } from '../rpc/harness';

describe('client interceptors', () => {
  let h: Harness;
  afterEach(() => h.close());

  function recordMetadata(): { seen: Record<string, string | string[]>[]; handlers: Parameters<typeof startHarness>[0] } {
    const seen: Record<string, string | string[]>[] = [];
    return {
      seen,
      handlers: {
        async unary(request, context) {
          seen.push(context.metadata.toJSON());
          return request;
        },
        async *serverStream(request, context) {
          seen.push(context.metadata.toJSON());
          yield request;
        },
      },
    };
  }

  test('an interceptor adding metadata: the handler sees it, for unary and streaming calls', async () => {
    const { seen, handlers } = recordMetadata();
    const addAuth: ClientInterceptor = (call, next) => {
      call.metadata.set('authorization', 'Bearer from-interceptor');
      return next();
    };
    h = await startHarness(handlers);
    const { client } = await h.connect({ interceptors: [addAuth] });
    await client.unary({ body: Buffer.alloc(0), seq: 1 });
    await client.unary({ body: Buffer.alloc(0), seq: 2 }, { metadata: { mine: 'x' } });
    for await (const _ of client.serverStream({ body: Buffer.alloc(0), seq: 0 })) {
      /* drain */
    }
    expect(seen).toEqual([{ authorization: 'Bearer from-interceptor' }, { mine: 'x', authorization: 'Bearer from-interceptor' }, { authorization: 'Bearer from-interceptor' }]);
  });

  test("metadata added by an interceptor does not leak into the caller's Metadata object or the client's defaults", async () => {
    const { seen, handlers } = recordMetadata();
    let n = 0;
    const trace: ClientInterceptor = (call, next) => {
      call.metadata.add('trace', `t${++n}`);
      return next();
    };
    h = await startHarness(handlers);
    const { channel } = await h.connect({ interceptors: [trace] });
    const shared = new Metadata({ tenant: 'a' });
    const client = createClient(TestServiceDefinition, channel, { metadata: shared });
    await client.unary({ body: Buffer.alloc(0), seq: 1 });
    await client.unary({ body: Buffer.alloc(0), seq: 2 });
    const own = new Metadata({ mine: 'y' });
    await client.unary({ body: Buffer.alloc(0), seq: 3 }, { metadata: own });
    expect(seen).toEqual([
      { tenant: 'a', trace: 't1' },
      { tenant: 'a', trace: 't2' },
      { mine: 'y', trace: 't3' },
    ]);
    expect(shared.toJSON()).toEqual({ tenant: 'a' });
    expect(own.toJSON()).toEqual({ mine: 'y' });
  });

  test('composition order: first interceptor outermost; next() resolves with the response or rejects with the call error', async () => {
    const order: string[] = [];
    const named =
      (name: string): ClientInterceptor =>
      async (call, next) => {
        order.push(`${name} in ${call.method} ${call.kind}`);
        try {
          const result = await next();
          order.push(`${name} out ${JSON.stringify((result as { seq?: number } | undefined)?.seq ?? null)}`);
          return result;
        } catch (error) {
          order.push(`${name} error ${(error as RpcError).code}`);
          throw error;
        }
      };
    h = await startHarness({
      async fail() {
        throw new RpcError(Status.NOT_FOUND, 'nope');
      },
    });
    const { client } = await h.connect({ interceptors: [named('a'), named('b')] });
    await client.unary({ body: Buffer.alloc(0), seq: 5 });
    expect(order).toEqual(['a in /test.v1.TestService/Unary unary', 'b in /test.v1.TestService/Unary unary', 'b out 5', 'a out 5']);
    order.length = 0;
    await expect(client.fail({ ms: 0, text: '' })).rejects.toMatchObject({ code: Status.NOT_FOUND });
    expect(order).toEqual(['a in /test.v1.TestService/Fail unary', 'b in /test.v1.TestService/Fail unary', `b error ${Status.NOT_FOUND}`, `a error ${Status.NOT_FOUND}`]);
    order.length = 0;
    for await (const _ of client.serverStream({ body: Buffer.alloc(0), seq: 2 })) {
      /* drain */
    }
    expect(order).toEqual(['a in /test.v1.TestService/ServerStream server-streaming', 'b in /test.v1.TestService/ServerStream server-streaming', 'b out null', 'a out null']);
  });

  test('an interceptor refusing a call: the caller gets its RpcError and nothing is sent', async () => {
    let handled = 0;
    h = await startHarness({
      async unary(request) {
        handled++;
        return request;
      },
    });
    const refuse: ClientInterceptor = async () => {
      throw new RpcError(Status.PERMISSION_DENIED, 'not from this client');
    };
    const { client } = await h.connect({ interceptors: [refuse] });
    await expect(client.unary({ body: Buffer.alloc(0), seq: 1 })).rejects.toMatchObject({ code: Status.PERMISSION_DENIED });
    await expect(
      (async () => {
        for await (const _ of client.serverStream({ body: Buffer.alloc(0), seq: 1 })) {
          /* nothing */
        }
      })(),
    ).rejects.toMatchObject({ code: Status.PERMISSION_DENIED, method: '/test.v1.TestService/ServerStream' });
    expect(handled).toBe(0);
  });
  test('a retrying interceptor runs the interceptors inside it again on every attempt', async () => {
    let attempts = 0;
    h = await startHarness({
      async unary(request) {
        if (++attempts < 3) throw new RpcError(Status.UNAVAILABLE, `attempt ${attempts}`);
        return request;
      },
    });
    const retry: ClientInterceptor = async (_call, next) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await next();
        } catch (error) {
          if (attempt === 3 || (error as RpcError).code !== Status.UNAVAILABLE) throw error;
        }
      }
    };
    const inner: string[] = [];
    const stamp: ClientInterceptor = (call, next) => {
      inner.push(call.method);
      call.metadata.set('attempt', String(inner.length));
      return next();
    };
    const { client } = await h.connect({ interceptors: [retry, stamp] });
    await expect(client.unary({ body: Buffer.alloc(0), seq: 7 })).resolves.toMatchObject({ seq: 7 });
    expect(attempts).toBe(3);
    expect(inner).toEqual(Array(3).fill('/test.v1.TestService/Unary'));
  });
});
