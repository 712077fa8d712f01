import 'reflect-metadata';
import { RpcServer, createChannel, createClient, RpcError, Status, type CallContext } from '../../src';
import { TestServiceDefinition, type Payload, type Delay, type Sum, type Empty } from '../../generated/test/testing';

const impl = {
  async unary(request: Payload): Promise<Payload> {
    return request;
  },
  async *serverStream(request: Payload): AsyncIterable<Payload> {
    for (let i = 0; i < request.seq; i++) yield { body: request.body, seq: i };
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
  async sleep(request: Delay, context: CallContext): Promise<Delay> {
    await new Promise((r) => setTimeout(r, request.ms));
    return request;
  },
  async fail(request: Delay): Promise<Empty> {
    throw new RpcError(Status.NOT_FOUND, request.text, { details: 'd1' });
  },
};

test('smoke', async () => {
  const server = new RpcServer().addService(TestServiceDefinition, impl);
  const { port } = await server.listen(0);
  const channel = createChannel(`127.0.0.1:${port}`);
  const client = createClient(TestServiceDefinition, channel);
  expect((await client.unary({ body: Buffer.from('hi'), seq: 1 })).seq).toBe(1);
  const got = [];
  for await (const m of client.serverStream({ body: Buffer.from('x'), seq: 200 })) got.push(m.seq);
  expect(got.length).toBe(200);
  async function* gen() {
    for (let i = 0; i < 300; i++) yield { body: Buffer.alloc(0), seq: i };
  }
  expect(await client.clientStream(gen())).toEqual({ total: 44850, count: 300 });
  const bid = [];
  for await (const m of client.bidi(gen())) bid.push(m.seq);
  expect(bid.length).toBe(300);
  await expect(client.fail({ ms: 0, text: 'nope' })).rejects.toMatchObject({ code: Status.NOT_FOUND, details: 'd1' });
  await expect(client.sleep({ ms: 500, text: '' }, { timeoutMs: 50 })).rejects.toMatchObject({ code: Status.DEADLINE_EXCEEDED });
  const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => client.unary({ body: Buffer.alloc(0), seq: i })));
  expect(results.map((r) => r.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  channel.close();
  await server.close();
});
