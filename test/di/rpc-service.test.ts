// @RpcService handler classes built by tsyringe: injected dependencies, lifetimes, CALL_CONTEXT, and the
// errors server.add gives when a class cannot serve.
import 'reflect-metadata';
import { container, inject, injectable } from 'tsyringe';
import { CALL_CONTEXT, RpcServer, RpcService, createClient, createChannel, tsyringeResolver, type CallContext, type Channel } from '../../src';
import { TestServiceDefinition, type Delay, type Empty, type Payload, type Sum } from '../../generated/test/testing';
import { recordingLogger } from '../rpc/harness';

@injectable()
class Counter {
  count = 0;
  next(): number {
    return ++this.count;
  }
}

const GREETING = Symbol('greeting');

/** The TestService methods a handler class does not exercise. */
abstract class Rest {
  async *serverStream(): AsyncIterable<Payload> {}
  async clientStream(): Promise<Sum> {
    return { total: 0, count: 0 };
  }
  async *bidi(): AsyncIterable<Payload> {}
  async sleep(request: Delay): Promise<Delay> {
    return request;
  }
  async fail(): Promise<Empty> {
    return {};
  }
}

let instances = 0;

@RpcService(TestServiceDefinition)
class SingletonHandler extends Rest {
  readonly instance = ++instances;
  constructor(
    private readonly counter: Counter,
    @inject(GREETING) private readonly greeting: string,
  ) {
    super();
  }
  async unary(request: Payload): Promise<Payload> {
    return { body: Buffer.from(`${this.greeting} #${this.instance}`), seq: this.counter.next() };
  }
}

@RpcService(TestServiceDefinition, { lifetime: 'per-call' })
class PerCallHandler extends Rest {
  readonly instance = ++instances;
  constructor(
    @inject(CALL_CONTEXT) private readonly context: CallContext,
    private readonly counter: Counter,
  ) {
    super();
  }
  async unary(request: Payload): Promise<Payload> {
    return { body: Buffer.from(`${this.context.metadata.get('who')} #${this.instance}`), seq: this.counter.next() };
  }
}

describe('@RpcService with tsyringe', () => {
  let server: RpcServer | undefined;
  let channel: Channel | undefined;

  afterEach(async () => {
    channel?.close();
    await server?.close(0);
    server = undefined;
    channel = undefined;
  });

  async function serve(register: (server: RpcServer) => void, child = container.createChildContainer()) {
    child.register(GREETING, { useValue: 'hello' });
    child.registerSingleton(Counter);
    server = new RpcServer({ resolver: tsyringeResolver(child), logger: recordingLogger() });
    register(server);
    const { port } = await server.listen(0);
    channel = createChannel(`127.0.0.1:${port}`);
    return { client: createClient(TestServiceDefinition, channel), child };
  }

  test('singleton: built once by the container with its dependencies (class and token), the same instance serves every call', async () => {
    const before = instances;
    const { client, child } = await serve((s) => s.add(SingletonHandler));
    expect(instances).toBe(before + 1);
    const replies = await Promise.all([1, 2, 3].map(() => client.unary({ body: Buffer.alloc(0), seq: 0 })));
    expect(replies.map((r) => r.body.toString())).toEqual([`hello #${before + 1}`, `hello #${before + 1}`, `hello #${before + 1}`]);
    expect(replies.map((r) => r.seq).sort()).toEqual([1, 2, 3]);
    expect(child.resolve(Counter).count).toBe(3);
    expect(instances).toBe(before + 1);
  });

  test("per-call: a new instance per call, with the call's CallContext injected in its constructor", async () => {
    const before = instances;
    const { client, child } = await serve((s) => s.add(PerCallHandler));
    expect(instances).toBe(before); // nothing built until a call comes
    const a = await client.unary({ body: Buffer.alloc(0), seq: 0 }, { metadata: { who: 'ann' } });
    const b = await client.unary({ body: Buffer.alloc(0), seq: 0 }, { metadata: { who: 'bob' } });
    expect(a.body.toString()).toBe(`ann #${before + 1}`);
    expect(b.body.toString()).toBe(`bob #${before + 2}`);
    expect([a.seq, b.seq]).toEqual([1, 2]); // the container's singleton Counter is shared by the per-call instances
    expect(child.isRegistered(CALL_CONTEXT)).toBe(false); // registered per call in a child container only
  });

  test('each test container is isolated: a registration in one child is not seen by another', async () => {
    const one = container.createChildContainer();
    const two = container.createChildContainer();
    one.register(GREETING, { useValue: 'one' });
    expect(two.isRegistered(GREETING, true)).toBe(false);
    await serve((s) => s.add(SingletonHandler), one);
  });

  test('a missing dependency fails at server.add for a singleton, naming the class', async () => {
    const bare = container.createChildContainer();
    const s = new RpcServer({ resolver: tsyringeResolver(bare) });
    expect(() => s.add(SingletonHandler)).toThrow(/SingletonHandler|greeting/);
  });

  describe('server.add errors say what to do', () => {
    const s = () => new RpcServer({ resolver: tsyringeResolver(container.createChildContainer()) });

    test('an undecorated class', () => {
      class Plain {}
      expect(() => s().add(Plain)).toThrow('Plain is not decorated with @RpcService(Definition); decorate it, or register a plain object with server.addService(definition, implementation)');
    });

    test('a duplicate service', () => {
      @RpcService(TestServiceDefinition, { lifetime: 'per-call' })
      class Another extends PerCallHandler {}
      const server = s();
      server.add(PerCallHandler);
      expect(() => server.add(Another)).toThrow('service test.v1.TestService is already served by PerCallHandler; register each service once (remove Another or PerCallHandler)');
      expect(() => server.addService(TestServiceDefinition, {} as never)).toThrow(/already served by PerCallHandler/);
    });

    describe('a constructor whose parameter types are unknown (no emitDecoratorMetadata, tsx, esbuild)', () => {
      /** Decorated by calling the decorator, as a compiler without decorator metadata leaves it: no design:paramtypes. */
      function withoutMetadata(lifetime: 'singleton' | 'per-call') {
        class NoMetadata extends Rest {
          constructor(readonly counter: Counter) {
            super();
          }
          async unary(request: Payload): Promise<Payload> {
            return { ...request, seq: this.counter.next() };
          }
        }
        RpcService(TestServiceDefinition, { lifetime })(NoMetadata);
        expect(Reflect.getMetadata('design:paramtypes', NoMetadata)).toBeUndefined();
        return NoMetadata;
      }

      test.each(['singleton', 'per-call'] as const)('is refused at server.add (%s), saying to enable emitDecoratorMetadata', (lifetime) => {
        expect(() => s().add(withoutMetadata(lifetime))).toThrow(/NoMetadata takes 1 constructor parameter.*enable "emitDecoratorMetadata".*or register the handler explicitly/);
      });

      test('is accepted when the container has its own registration for the class, or its parameters are @inject-ed', async () => {
        const NoMetadata = withoutMetadata('per-call');
        const own = container.createChildContainer();
        own.register(NoMetadata, { useFactory: () => new NoMetadata(new Counter()) });
        const { client } = await serve((server) => server.add(NoMetadata), own);
        await expect(client.unary({ seq: 0 })).resolves.toMatchObject({ seq: 1 });
        class Injected extends Rest {
          constructor(readonly counter: Counter) {
            super();
          }
          async unary(request: Payload): Promise<Payload> {
            return request;
          }
        }
        inject(Counter)(Injected, undefined, 0);
        RpcService(TestServiceDefinition, { lifetime: 'per-call' })(Injected);
        expect(() => s().add(Injected)).not.toThrow();
      });
    });

    test('a class missing a method', () => {
      // The decorator refuses this at compile time (see test/types/handler-types.ts); at run time server.add does.
      // @ts-expect-error Incomplete lacks serverStream, clientStream, bidi, sleep and fail
      @RpcService(TestServiceDefinition, { lifetime: 'per-call' })
      class Incomplete {
        async unary(request: Payload): Promise<Payload> {
          return request;
        }
      }
      expect(() => s().add(Incomplete)).toThrow(
        'Incomplete does not implement test.v1.TestService: add serverStream(request, context), clientStream(requests, context), bidi(requests, context), sleep(request, context), fail(request, context)',
      );
    });
  });
});
