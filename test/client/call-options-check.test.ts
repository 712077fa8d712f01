// Call options checked before anything is sent (bad timeouts, past deadlines), and unknown status codes.
import { createClient, RpcError, Status } from '../../src';
import { Channel } from '../../src/client/channel';
import { FrameKind, FrameServer, type FrameConnection } from '../../src/transport';
import { TestServiceDefinition } from '../rpc/harness';

/** A FrameServer that records every CALL frame and answers each with the STATUS payload `answer` gives. */
async function rawRpcServer(answer: () => Buffer): Promise<{ server: FrameServer; port: number; calls: number[] }> {
  const server = new FrameServer();
  const calls: number[] = [];
  server.on('connection', (connection: FrameConnection) => {
    connection.start({
      onFrame: (kind, _flags, id) => {
        if (kind !== FrameKind.CALL) return;
        calls.push(id);
        connection.send(FrameKind.STATUS, 0b100, id, answer());
      },
    });
  });
  await server.listen(0);
  return { server, port: server.address().port, calls };
}

/** STATUS payload: code, flags 0, text, no details, no trailers. */
function statusPayload(code: number, text: string): Buffer {
  const textBytes = Buffer.from(text);
  const payload = Buffer.alloc(2 + 2 + textBytes.length + 2 + 2);
  payload[0] = code;
  payload.writeUInt16BE(textBytes.length, 2);
  textBytes.copy(payload, 4);
  return payload;
}

describe('call options refused before sending', () => {
  let raw: Awaited<ReturnType<typeof rawRpcServer>>;
  let channel: Channel;
  const client = () => createClient(TestServiceDefinition, channel);

  beforeAll(async () => {
    raw = await rawRpcServer(() => statusPayload(Status.NOT_FOUND, 'raw server answered'));
    channel = new Channel({ port: raw.port });
    await channel.connect();
  });
  afterAll(async () => {
    channel.close();
    await raw.server.close(0);
  });

  async function codeOf(call: Promise<unknown>): Promise<RpcError> {
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RpcError);
    return error as RpcError;
  }

  it.each([
    ['negative', -5],
    ['NaN', Number.NaN],
  ])('a %s timeoutMs is INVALID_ARGUMENT at the call, and no CALL frame is sent', async (_name, timeoutMs) => {
    const before = raw.calls.length;
    const error = await codeOf(client().unary({ body: Buffer.alloc(0), seq: 1 }, { timeoutMs }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.message).toMatch(/timeoutMs must be a non-negative number/);
    // The connection is still usable: the next call reaches the server, and is the only new CALL.
    await codeOf(client().unary({ body: Buffer.alloc(0), seq: 2 }));
    expect(raw.calls.length).toBe(before + 1);
  });

  it('a deadline already past fails at once with DEADLINE_EXCEEDED and sends nothing', async () => {
    const before = raw.calls.length;
    const error = await codeOf(client().unary({ body: Buffer.alloc(0), seq: 1 }, { deadline: Date.now() - 1000 }));
    expect(error.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(error.message).toMatch(/deadline passed \d+ ms before the call was made/);
    await codeOf(client().unary({ body: Buffer.alloc(0), seq: 2 }));
    expect(raw.calls.length).toBe(before + 1);
  });

  it('an invalid Date deadline is INVALID_ARGUMENT', async () => {
    const error = await codeOf(client().unary({ body: Buffer.alloc(0), seq: 1 }, { deadline: new Date('not a date') }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
  });

  it('a streaming call with a bad timeout fails on its first read, without sending', async () => {
    const before = raw.calls.length;
    const stream = client().serverStream({ body: Buffer.alloc(0), seq: 3 }, { timeoutMs: -1 });
    const error = await codeOf(
      (async () => {
        for await (const _ of stream) return;
      })(),
    );
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    await codeOf(client().unary({ body: Buffer.alloc(0), seq: 2 }));
    expect(raw.calls.length).toBe(before + 1);
  });
});

describe("a STATUS code outside gRPC's 17", () => {
  it('reaches the caller as UNKNOWN, with the number in the message', async () => {
    const raw = await rawRpcServer(() => statusPayload(99, 'something odd'));
    const channel = new Channel({ port: raw.port });
    try {
      const error = await createClient(TestServiceDefinition, channel)
        .unary({ body: Buffer.alloc(0), seq: 1 })
        .then(
          () => undefined,
          (e: RpcError) => e,
        );
      expect(error?.code).toBe(Status.UNKNOWN);
      expect(error?.codeName).toBe('UNKNOWN');
      expect(error?.message).toMatch(/unknown status code 99: something odd/);
    } finally {
      channel.close();
      await raw.server.close(0);
    }
  });
});
