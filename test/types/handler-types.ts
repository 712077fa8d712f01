// Compile-time tests, checked by `npx tsc -p tsconfig.json --noEmit` (never run): handler classes and typed
// clients derived from the generated definition. Each @ts-expect-error must be needed, or tsc fails.
import 'reflect-metadata';
import { RpcServer, RpcService, createClient, createTestClient, type CallContext, type Channel, type ServiceImplementation } from '../../src';
import { ShapeServiceDefinition } from '../../generated/test/shapes';
import type { HandlerProblems } from '../../src/service/handler-types';
import { TestServiceDefinition, type Delay, type Empty, type Payload, type Sum } from '../../generated/test/testing';

// A correct handler class compiles.
@RpcService(TestServiceDefinition)
export class CompleteHandler {
  async unary(request: Payload, context: CallContext): Promise<Payload> {
    return { body: request.body, seq: request.seq + context.remainingMs };
  }
  unarySync(request: Payload): Payload {
    return request; // extra methods are allowed
  }
  async *serverStream(request: Payload): AsyncIterable<Payload> {
    yield request;
  }
  async clientStream(requests: AsyncIterable<Payload>): Promise<Sum> {
    let count = 0;
    for await (const _ of requests) count++;
    return { total: 0, count };
  }
  async *bidi(requests: AsyncIterable<Payload>): AsyncIterable<Payload> {
    yield* requests;
  }
  sleep(request: Delay): Delay {
    return request; // a synchronous unary handler is fine
  }
  async fail(): Promise<Empty> {
    return {};
  }
}

// A class missing a method does not compile: "... not assignable to type '"missing method: fail"'".
// @ts-expect-error missing method: fail
@RpcService(TestServiceDefinition)
export class MissingMethod {
  async unary(request: Payload): Promise<Payload> {
    return request;
  }
  async *serverStream(request: Payload): AsyncIterable<Payload> {
    yield request;
  }
  async clientStream(): Promise<Sum> {
    return { total: 0, count: 0 };
  }
  async *bidi(requests: AsyncIterable<Payload>): AsyncIterable<Payload> {
    yield* requests;
  }
  async sleep(request: Delay): Promise<Delay> {
    return request;
  }
}

// A class with a wrong request type does not compile.
// @ts-expect-error mistyped method: unary (it takes a Payload, not a Delay)
@RpcService(TestServiceDefinition)
export class WrongRequestType {
  async unary(request: Delay): Promise<Payload> {
    return { body: Buffer.from(request.text), seq: request.ms };
  }
  async *serverStream(request: Payload): AsyncIterable<Payload> {
    yield request;
  }
  async clientStream(): Promise<Sum> {
    return { total: 0, count: 0 };
  }
  async *bidi(requests: AsyncIterable<Payload>): AsyncIterable<Payload> {
    yield* requests;
  }
  async sleep(request: Delay): Promise<Delay> {
    return request;
  }
  async fail(): Promise<Empty> {
    return {};
  }
}

// A class with a wrong response type does not compile.
// @ts-expect-error mistyped method: sleep (it answers a Delay, not a Sum)
@RpcService(TestServiceDefinition)
export class WrongResponseType {
  async unary(request: Payload): Promise<Payload> {
    return request;
  }
  async *serverStream(request: Payload): AsyncIterable<Payload> {
    yield request;
  }
  async clientStream(): Promise<Sum> {
    return { total: 0, count: 0 };
  }
  async *bidi(requests: AsyncIterable<Payload>): AsyncIterable<Payload> {
    yield* requests;
  }
  async sleep(): Promise<Sum> {
    return { total: 1, count: 1 };
  }
  async fail(): Promise<Empty> {
    return {};
  }
}

// A streaming method implemented as unary does not compile.
// @ts-expect-error serverStream must return an AsyncIterable, not a Promise
@RpcService(TestServiceDefinition)
export class WrongKind {
  async unary(request: Payload): Promise<Payload> {
    return request;
  }
  async serverStream(request: Payload): Promise<Payload> {
    return request;
  }
  async clientStream(): Promise<Sum> {
    return { total: 0, count: 0 };
  }
  async *bidi(requests: AsyncIterable<Payload>): AsyncIterable<Payload> {
    yield* requests;
  }
  async sleep(request: Delay): Promise<Delay> {
    return request;
  }
  async fail(): Promise<Empty> {
    return {};
  }
}

// The error text itself: the decorator's parameter is intersected with HandlerProblems, a string literal type.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Problems<C, P extends boolean = false> = HandlerProblems<C, typeof TestServiceDefinition, P>;
export const namesMissing: Equal<Problems<MissingMethod>, 'missing method: fail'> = true;
export const namesEveryMissing: Equal<Problems<{ unary: CompleteHandler['unary']; bidi: CompleteHandler['bidi'] }>, `missing method: ${'serverStream' | 'clientStream' | 'sleep' | 'fail'}`> = true;
export const namesMistyped: Equal<Problems<WrongResponseType>, 'mistyped method: sleep (its request, response or call kind differs from test.v1.TestService)'> = true;
export const namesWrongKind: Equal<Problems<WrongKind>, 'mistyped method: serverStream (its request, response or call kind differs from test.v1.TestService)'> = true;
export const completeIsFine: Equal<Problems<CompleteHandler>, unknown> = true;
export const partialMayMiss: Equal<Problems<{ unary: CompleteHandler['unary'] }, true>, unknown> = true;

// A partial service implements some methods, still with the definition's types.
@RpcService(TestServiceDefinition, { partial: true })
export class PartialHandler {
  async unary(request: Payload): Promise<Payload> {
    return request;
  }
}

// @ts-expect-error partial, but sleep answers a Delay, not a Sum
@RpcService(TestServiceDefinition, { partial: true, lifetime: 'per-call' })
export class PartialWrongType {
  async sleep(): Promise<Sum> {
    return { total: 1, count: 1 };
  }
}

export function partialObjects(server: RpcServer): void {
  server.addService(TestServiceDefinition, { unary: async (request) => request }, { partial: true });
  // @ts-expect-error without { partial: true } every method is required
  server.addService(TestServiceDefinition, { unary: async (request) => request });
  // @ts-expect-error partial, but unary answers a Payload
  server.addService(TestServiceDefinition, { unary: async () => ({ ms: 1, text: '' }) }, { partial: true });
}

// createTestClient checks a plain object the same way.
export async function testClients(): Promise<void> {
  const t = await createTestClient(TestServiceDefinition, { unary: async (request) => request }, { partial: true });
  const reply: Payload = await t.client.unary({ seq: 1 });
  void reply;
  await createTestClient(TestServiceDefinition, CompleteHandler);
  // @ts-expect-error without { partial: true } every method is required
  await createTestClient(TestServiceDefinition, { unary: async (request: Payload) => request });
}

// A plain-object implementation is checked the same way.
export const plainObject: ServiceImplementation<typeof TestServiceDefinition> = {
  unary: async (request) => request,
  serverStream: async function* (request) {
    yield request;
  },
  clientStream: async () => ({ total: 0, count: 0 }),
  bidi: (requests) => requests,
  // @ts-expect-error sleep answers a Delay; { ms: string } is not one
  sleep: (request) => ({ ms: String(request.ms), text: request.text }),
  // Note: Empty is `{}` in TypeScript, so any non-null value type-checks as an Empty response.
  fail: async () => ({}),
};

// The typed client.
export async function typedClient(channel: Channel): Promise<void> {
  const client = createClient(TestServiceDefinition, channel);
  const reply: Payload = await client.unary({ body: Buffer.alloc(0), seq: 1 });
  const delay: Delay = await client.sleep({ ms: 1, text: 'x' }, { timeoutMs: 10 });
  for await (const message of client.serverStream({ body: Buffer.alloc(0), seq: 1 })) {
    const seq: number = message.seq;
    void seq;
  }
  const sum: Sum = await client.clientStream(
    (async function* () {
      yield { body: Buffer.alloc(0), seq: 1 };
    })(),
  );
  void reply;
  void delay;
  void sum;

  // @ts-expect-error unary takes a Payload, not a Delay
  await client.unary({ ms: 1, text: 'x' });
  // @ts-expect-error clientStream takes a stream of Payloads, not one
  await client.clientStream({ body: Buffer.alloc(0), seq: 1 });
  // @ts-expect-error a server stream is iterated, not awaited for a message
  (await client.serverStream({ body: Buffer.alloc(0), seq: 1 })).seq; // eslint-disable-line @typescript-eslint/await-thenable -- the mistake under test

  const answer = await client.unary({ body: Buffer.alloc(0), seq: 1 });
  // @ts-expect-error a Payload has no field text (that is Delay's)
  answer.text;
  // @ts-expect-error seq is a number
  const wrong: string = answer.seq;
  void wrong;
  // @ts-expect-error there is no such method
  client.noSuchMethod;

  // Requests are DeepPartial: missing fields take their defaults.
  const partial: Payload = await client.unary({ seq: 1 });
  await client.sleep({});
  await client.clientStream(
    (async function* () {
      yield { seq: 2 };
    })(),
  );
  void partial;
  // @ts-expect-error an unknown field (a typo of text) is still refused
  await client.sleep({ ms: 1, txet: 'x' });
  // @ts-expect-error a present field keeps its type
  await client.sleep({ ms: '1' });
  const shapes = createClient(ShapeServiceDefinition, channel);
  await shapes.echo({ delay: { ms: 1 }, items: [{ seq: 1 }], named: { a: { text: 't' } } });
  // @ts-expect-error nested messages are DeepPartial too, but keep their fields' types
  await shapes.echo({ delay: { ms: 'x' } });
}
