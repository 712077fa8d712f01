// Typed clients take DeepPartial requests: missing fields get their defaults (fromPartial), unknown fields
// fail the call with INVALID_ARGUMENT before anything is sent, and a complete message is sent as it is.
import { RpcServer, createChannel, createClient, RpcError, Status, type Channel } from '../../src';
import { Payload } from '../../generated/test/testing';
import { Envelope, ShapeServiceDefinition } from '../../generated/test/shapes';
import { startHarness, type Harness } from '../rpc/harness';

function failure(promise: Promise<unknown>): Promise<RpcError> {
  return promise.then(
    (value) => {
      throw new Error(`expected the call to fail, it returned ${JSON.stringify(value)}`);
    },
    (error: RpcError) => error,
  );
}

describe('flat requests (TestService)', () => {
  let h: Harness;
  let handled: unknown[];
  beforeEach(async () => {
    handled = [];
    h = await startHarness({
      async unary(request) {
        handled.push(request);
        return request;
      },
      async sleep(request) {
        handled.push(request);
        return request;
      },
    });
  });
  afterEach(() => h.close());

  test('missing fields take their defaults, in unary and streamed requests', async () => {
    await expect(h.client.sleep({ ms: 0 })).resolves.toEqual({ ms: 0, text: '' });
    await expect(h.client.unary({ seq: 4 })).resolves.toEqual({ body: Buffer.alloc(0), seq: 4 });
    await expect(h.client.unary({})).resolves.toEqual({ body: Buffer.alloc(0), seq: 0 });
    const sum = await h.client.clientStream(
      (async function* () {
        yield { seq: 2 };
        yield { body: Buffer.from('x') };
      })(),
    );
    expect(sum).toEqual({ total: 2, count: 2 });
    expect(handled).toEqual([
      { ms: 0, text: '' },
      { body: Buffer.alloc(0), seq: 4 },
      { body: Buffer.alloc(0), seq: 0 },
    ]);
  });

  test('an unknown field (from plain JS) fails with INVALID_ARGUMENT on the caller side; nothing is sent', async () => {
    const untyped = h.client as unknown as Record<string, (request: unknown) => Promise<unknown>>;
    const typo = await failure(untyped.sleep({ ms: 1, txet: 'x' }));
    expect(typo).toBeInstanceOf(RpcError);
    expect(typo.code).toBe(Status.INVALID_ARGUMENT);
    expect(typo.message).toContain('"txet"');
    expect((await failure(untyped.unary(null))).code).toBe(Status.INVALID_ARGUMENT);
    expect((await failure(untyped.unary('seq=1'))).code).toBe(Status.INVALID_ARGUMENT);
    const stream = (h.client.serverStream as unknown as (request: unknown) => AsyncIterable<unknown>)({ seqq: 1 });
    await expect(
      (async () => {
        for await (const _ of stream) {
          /* nothing */
        }
      })(),
    ).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
    expect(handled).toEqual([]);
  });

  test('a complete message is sent as it is, without fromPartial', async () => {
    const fromPartial = jest.spyOn(Payload, 'fromPartial');
    try {
      await h.client.unary({ body: Buffer.from('b'), seq: 1 });
      expect(fromPartial).not.toHaveBeenCalled();
      await h.client.unary({ seq: 1 });
      expect(fromPartial).toHaveBeenCalledTimes(1);
    } finally {
      fromPartial.mockRestore();
    }
  });
});

describe('nested, repeated, map and oneof fields (ShapeService)', () => {
  let server: RpcServer;
  let channel: Channel;
  const received: Envelope[] = [];
  beforeAll(async () => {
    server = new RpcServer();
    server.addService(ShapeServiceDefinition, {
      echo(request: Envelope) {
        received.push(request);
        return request;
      },
    });
    const { port } = await server.listen(0);
    channel = createChannel({ host: '127.0.0.1', port });
    await channel.connect();
  });
  afterAll(async () => {
    channel.close();
    await server.close(0);
  });

  test('defaults are filled in at every depth', async () => {
    const client = createClient(ShapeServiceDefinition, channel);
    const reply = await client.echo({ delay: { ms: 5 }, items: [{ seq: 1 }], named: { a: { text: 't' } }, inner: { ms: 2 } });
    expect(reply).toEqual({
      label: '',
      delay: { ms: 5, text: '' },
      items: [{ body: Buffer.alloc(0), seq: 1 }],
      named: { a: { ms: 0, text: 't' } },
      inner: { ms: 2, text: '' },
      numbers: [],
    });
    await expect(client.echo({ label: 'l', items: [], named: {}, numbers: [1, 2] })).resolves.toMatchObject({ label: 'l', numbers: [1, 2] });
  });

  test('an unknown nested field is named with its path', async () => {
    const untyped = createClient(ShapeServiceDefinition, channel) as unknown as { echo(request: unknown): Promise<unknown> };
    const before = received.length;
    const nested = await failure(untyped.echo({ delay: { mss: 1 } }));
    expect(nested.code).toBe(Status.INVALID_ARGUMENT);
    expect(nested.message).toContain('"delay.mss"');
    const inList = await failure(untyped.echo({ items: [{ seq: 1 }, { sq: 2 }] }));
    expect(inList.message).toContain('"items[1].sq"');
    expect(received.length).toBe(before);
  });
});
