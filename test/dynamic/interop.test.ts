// Dynamic and generated definitions on one wire: each side of a call can be either, over real sockets on 127.0.0.1:0.
import * as path from 'node:path';
import {
  RpcServer,
  RpcError,
  Status,
  createChannel,
  createClient,
  createDynamicClient,
  loadServiceDefinitions,
  type CallContext,
  type Channel,
  type DynamicMessage,
  type DynamicServiceDefinition,
  type RpcServerOptions,
} from '../../src/internal';
import { EchoServiceDefinition, type EchoRequest, type EchoStreamRequest, type EchoReply } from '../../generated/echo/echo';
import { TestServiceDefinition, type Delay, type Payload, type Sum } from '../../generated/test/testing';

const protoDir = path.join(__dirname, '../../proto');

let services: Record<string, DynamicServiceDefinition>;
const open: { server: RpcServer; channel: Channel }[] = [];

beforeAll(async () => {
  services = await loadServiceDefinitions(['echo/echo.proto', 'test/testing.proto'], { includeDirs: [protoDir] });
});

afterEach(async () => {
  for (const { server, channel } of open.splice(0)) {
    channel.close();
    await server.close();
  }
});

async function serve(register: (server: RpcServer) => void, options: RpcServerOptions = {}): Promise<Channel> {
  const server = new RpcServer(options);
  register(server);
  const { port } = await server.listen(0);
  const channel = createChannel(`127.0.0.1:${port}`);
  open.push({ server, channel });
  return channel;
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

const generatedEcho = {
  async echo(request: EchoRequest): Promise<EchoReply> {
    return { text: request.text, servedBy: 3 };
  },
  async *echoStream(request: EchoStreamRequest): AsyncIterable<EchoReply> {
    for (let i = 0; i < request.count; i++) yield { text: request.text, servedBy: i };
  },
  async whoAmI(_request: unknown, context: CallContext) {
    const user = context.metadata.get('user');
    if (typeof user !== 'string') throw new RpcError(Status.UNAUTHENTICATED, 'no user', { details: 'send user metadata' });
    return { user, peer: 'p' };
  },
};

const generatedTest = {
  async unary(request: Payload): Promise<Payload> {
    return { body: Buffer.concat([request.body, Buffer.from([0xff])]), seq: request.seq + 1 };
  },
  async *serverStream(request: Payload): AsyncIterable<Payload> {
    for (let i = 0; i < request.seq; i++) yield { body: request.body.subarray(0, i), seq: i };
  },
  async clientStream(requests: AsyncIterable<Payload>): Promise<Sum> {
    let total = 0,
      count = 0;
    for await (const r of requests) {
      total += r.seq;
      count++;
    }
    return { total, count };
  },
  async *bidi(requests: AsyncIterable<Payload>): AsyncIterable<Payload> {
    for await (const r of requests) yield { body: r.body, seq: r.seq * 2 };
  },
  async sleep(request: Delay): Promise<Delay> {
    return request;
  },
  async fail(request: Delay): Promise<never> {
    throw new RpcError(Status.NOT_FOUND, request.text, { details: 'd1' });
  },
};

describe('generated server, dynamic client', () => {
  test('unary, server-streaming and an RpcError from echo.v1.EchoService', async () => {
    const channel = await serve((server) => server.addService(EchoServiceDefinition, generatedEcho));
    const echo = createClient(services['echo.v1.EchoService'], channel);
    expect(await echo.echo({ text: 'hi' })).toEqual({ text: 'hi', servedBy: 3 });
    expect(await echo.whoAmI({}, { metadata: { user: 'ada' } })).toEqual({ user: 'ada', peer: 'p' });
    await expect(echo.whoAmI({})).rejects.toMatchObject({ code: Status.UNAUTHENTICATED, details: 'send user metadata', message: expect.stringContaining('/echo.v1.EchoService/WhoAmI') });
    const stream = createDynamicClient(services['echo.v1.EchoService'], channel).echoStream({ text: 'x', count: 3 }) as AsyncIterable<DynamicMessage>;
    expect(await collect(stream)).toEqual([0, 1, 2].map((servedBy) => ({ text: 'x', servedBy })));
  });

  test('bytes fields, all four call kinds of test.v1.TestService', async () => {
    const channel = await serve((server) => server.addService(TestServiceDefinition, generatedTest));
    const client = createDynamicClient(services['test.v1.TestService'], channel);
    const reply = await client.unary({ body: Buffer.from([0, 1, 2]), seq: 9 });
    expect(Buffer.isBuffer(reply.body)).toBe(true);
    expect(reply).toEqual({ body: Buffer.from([0, 1, 2, 0xff]), seq: 10 });
    expect(await client.unary({})).toEqual({ body: Buffer.from([0xff]), seq: 1 });
    const streamed: DynamicMessage[] = await collect(client.serverStream({ body: Buffer.from('abc'), seq: 4 }));
    expect(streamed.map((m) => m.body.toString())).toEqual(['', 'a', 'ab', 'abc']);
    async function* payloads() {
      for (let i = 0; i < 50; i++) yield { body: Buffer.from([i]), seq: i };
    }
    expect(await client.clientStream(payloads())).toEqual({ total: 1225, count: 50 });
    const doubled: DynamicMessage[] = await collect(client.bidi(payloads()));
    expect(doubled.map((m) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
    await expect(client.fail({ ms: 0, text: 'gone' })).rejects.toMatchObject({ code: Status.NOT_FOUND, details: 'd1', message: expect.stringContaining('gone') });
  });

  test('a request that does not match its type fails with INVALID_ARGUMENT naming the field, before it is sent', async () => {
    const channel = await serve((server) => server.addService(TestServiceDefinition, generatedTest));
    const client = createClient(services['test.v1.TestService'], channel);
    await expect(client.unary({ body: Buffer.alloc(0), seq: 'one' })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, message: expect.stringContaining('seq: integer expected') });
    await expect(client.unary({ bodyy: Buffer.alloc(0) })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT, message: expect.stringContaining('bodyy') });
    expect((await client.unary({ seq: 1 })).seq).toBe(2); // the channel is still usable
  });
});

describe('dynamic server, generated client', () => {
  const dynamicEcho = {
    echo: async (request: DynamicMessage) => ({ text: request.text.toUpperCase(), servedBy: 1 }),
    echoStream: async function* (request: DynamicMessage) {
      for (let i = 0; i < request.count; i++) yield { text: `${request.text}${i}`, servedBy: i };
    },
    whoAmI: async (_request: DynamicMessage, context: CallContext) => {
      throw new RpcError(Status.PERMISSION_DENIED, `not you, ${String(context.metadata.get('user'))}`, { details: '{"reason":"test"}' });
    },
  };

  test('unary, server-streaming and an RpcError to a typed echo.v1 client', async () => {
    const channel = await serve((server) => server.addService(services['echo.v1.EchoService'], dynamicEcho));
    const echo = createClient(EchoServiceDefinition, channel);
    const reply: EchoReply = await echo.echo({ text: 'shout' });
    expect(reply).toEqual({ text: 'SHOUT', servedBy: 1 });
    expect(await collect(echo.echoStream({ text: 't', count: 3 }))).toEqual([0, 1, 2].map((i) => ({ text: `t${i}`, servedBy: i })));
    await expect(echo.whoAmI({}, { metadata: { user: 'bob' } })).rejects.toMatchObject({
      code: Status.PERMISSION_DENIED,
      details: '{"reason":"test"}',
      message: expect.stringContaining('not you, bob'),
    });
  });

  test('bytes fields and the streaming kinds of test.v1.TestService', async () => {
    const dynamicTest = {
      unary: (request: DynamicMessage) => ({ body: Buffer.from(request.body).reverse(), seq: request.seq }),
      serverStream: async function* (request: DynamicMessage) {
        for (let i = 0; i < request.seq; i++) yield { body: Buffer.alloc(i, 7), seq: i };
      },
      clientStream: async (requests: AsyncIterable<DynamicMessage>) => {
        let total = 0;
        for await (const r of requests) total += r.body.length;
        return { total, count: 0 };
      },
      bidi: async function* (requests: AsyncIterable<DynamicMessage>) {
        for await (const r of requests) yield { body: r.body, seq: r.seq + 100 };
      },
      sleep: (request: DynamicMessage) => request,
      fail: () => {
        throw new RpcError(Status.FAILED_PRECONDITION, 'dynamic says no');
      },
    };
    const channel = await serve((server) => server.addService(services['test.v1.TestService'], dynamicTest));
    const client = createClient(TestServiceDefinition, channel);
    expect(await client.unary({ body: Buffer.from([1, 2, 3]), seq: 5 })).toEqual({ body: Buffer.from([3, 2, 1]), seq: 5 });
    const streamed = await collect(client.serverStream({ body: Buffer.alloc(0), seq: 3 }));
    expect(streamed).toEqual([0, 1, 2].map((i) => ({ body: Buffer.alloc(i, 7), seq: i })));
    async function* payloads() {
      for (let i = 0; i < 20; i++) yield { body: Buffer.alloc(i), seq: i };
    }
    expect(await client.clientStream(payloads())).toEqual({ total: 190, count: 0 });
    expect((await collect(client.bidi(payloads()))).map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 100));
    await expect(client.fail({ ms: 0, text: '' })).rejects.toMatchObject({ code: Status.FAILED_PRECONDITION, message: expect.stringContaining('dynamic says no') });
  });

  test('a handler answer that does not match its type fails the call, not the server', async () => {
    const broken = { ...dynamicEcho, echo: async () => ({ text: 42 }) };
    const logger = { error: jest.fn(), warn: jest.fn() };
    const channel = await serve((server) => server.addService(services['echo.v1.EchoService'], broken), { logger });
    const echo = createClient(EchoServiceDefinition, channel);
    const error = await echo.echo({ text: 'x' }).catch((e: RpcError) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).not.toBe(Status.OK);
    // A logger that is not pino, winston or console gets (message, error, fields).
    expect(logger.error).toHaveBeenCalledWith(
      expect.any(String),
      expect.objectContaining({ message: 'invalid echo.v1.EchoReply: text: string expected' }),
      expect.objectContaining({ method: '/echo.v1.EchoService/Echo', code: 'UNKNOWN' }),
    );
    expect(await collect(echo.echoStream({ text: 'ok', count: 1 }))).toEqual([{ text: 'ok0', servedBy: 0 }]);
  });
});
