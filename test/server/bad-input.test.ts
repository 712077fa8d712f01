// The server receiving bad input over a raw socket: each bad call gets a status on that call only, and
// other calls on the same connection still succeed afterwards.
import { Metadata, Status, type CallContext } from '../../src';
import { CloseCode, FrameKind } from '../../src/codec/wire';
import { Payload } from '../../generated/test/testing';
import { aborted, deferred, startHarness, type Harness } from '../rpc/harness';
import { RawRpcClient } from '../rpc/raw-rpc';

const UNARY = '/test.v1.TestService/Unary';
const SLEEP = '/test.v1.TestService/Sleep';
const STREAM = '/test.v1.TestService/ServerStream';
const CLIENT_STREAM = '/test.v1.TestService/ClientStream';
const FAIL = '/test.v1.TestService/Fail';

const settle = async (turns = 20): Promise<void> => {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
};

function payload(seq: number, text = 'ok'): Uint8Array {
  return Payload.encode({ body: Buffer.from(text), seq }).finish();
}

describe('server receiving bad input', () => {
  let h: Harness;
  let raw: RawRpcClient;
  let nextId = 1000;
  const contexts: CallContext[] = [];
  let sleeping = deferred<CallContext>();
  let streamClosed = deferred();

  beforeEach(async () => {
    contexts.length = 0;
    sleeping = deferred<CallContext>();
    streamClosed = deferred();
    h = await startHarness({
      async sleep(request, context) {
        contexts.push(context);
        sleeping.resolve(context);
        await new Promise(() => undefined); // never answers by itself
        return request;
      },
      async *serverStream(_request, context) {
        contexts.push(context);
        try {
          for (let i = 0; ; i++) yield { body: Buffer.alloc(0), seq: i };
        } finally {
          streamClosed.resolve();
        }
      },
      async clientStream(requests, context) {
        if (context.metadata.get('hold') === 'yes') await aborted(context.signal); // reads nothing
        let count = 0;
        for await (const _ of requests) count++;
        return { total: 0, count };
      },
      fail(request) {
        if (request.text === 'sync') throw new Error('sync crash');
        return Promise.reject(new Error('async crash'));
      },
    });
    raw = await RawRpcClient.connect(h.port);
  });

  afterEach(async () => {
    await raw.destroy();
    await h.close();
  });

  /** A good unary call on the same raw connection still works. */
  async function expectHealthy(): Promise<void> {
    const id = nextId++;
    raw.call(id, UNARY, { message: payload(id) });
    const status = await raw.status(id);
    expect(status.code).toBe(Status.OK);
    expect(Payload.decode(status.message!)).toEqual({ body: Buffer.from('ok'), seq: id });
    expect(raw.closed).toBe(false);
  }

  test('unknown service or method: UNIMPLEMENTED naming the path', async () => {
    raw.call(1, '/no.such.Service/Unary', { message: payload(1) });
    raw.call(3, '/test.v1.TestService/NoSuchMethod', { message: payload(1) });
    raw.call(5, 'garbage', { message: payload(1) });
    for (const [id, path] of [
      [1, '/no.such.Service/Unary'],
      [3, '/test.v1.TestService/NoSuchMethod'],
      [5, 'garbage'],
    ] as const) {
      const status = await raw.status(id);
      expect(status.code).toBe(Status.UNIMPLEMENTED);
      expect(status.text).toBe(`no service on this server has a method ${path}`);
    }
    await expectHealthy();
  });

  test('a request that is not valid protobuf: INVALID_ARGUMENT', async () => {
    raw.call(1, UNARY, { message: Buffer.from([0xff, 0xff, 0xff]) });
    const status = await raw.status(1);
    expect(status.code).toBe(Status.INVALID_ARGUMENT);
    expect(status.text).toMatch(/request for \/test.v1.TestService\/Unary is not valid protobuf/);
    await expectHealthy();
  });

  test('a streamed request message that is not valid protobuf: INVALID_ARGUMENT', async () => {
    raw.call(1, CLIENT_STREAM);
    raw.frame(FrameKind.MESSAGE, 1, Buffer.from([0xff, 0xff, 0xff]));
    const status = await raw.status(1);
    expect(status.code).toBe(Status.INVALID_ARGUMENT);
    await expectHealthy();
  });

  test('a unary CALL that ends its stream without the request, and a malformed CALL header: INVALID_ARGUMENT', async () => {
    raw.call(1, UNARY, { endStream: true });
    expect(await raw.status(1)).toMatchObject({ code: Status.INVALID_ARGUMENT, text: `${UNARY} needs one request message, and the CALL ended the stream without it` });
    raw.frame(FrameKind.CALL, 2, Buffer.from([0, 0, 0]));
    expect(await raw.status(2)).toMatchObject({ code: Status.INVALID_ARGUMENT });
    raw.frame(FrameKind.CALL, 4, Buffer.from([0, 0, 0, 0, 0, 1, 0x2f, 0, 1, 9]));
    expect((await raw.status(4)).text).toMatch(/malformed metadata/);
    await expectHealthy();
  });

  test('a second request message on a unary call: INVALID_ARGUMENT, the handler signal fires', async () => {
    raw.call(1, SLEEP, { message: Buffer.alloc(0), endStream: false });
    const context = await sleeping.promise;
    raw.frame(FrameKind.MESSAGE, 1, Buffer.alloc(0));
    expect((await raw.status(1)).code).toBe(Status.INVALID_ARGUMENT);
    await aborted(context.signal);
    await expectHealthy();
  });

  test('a call id that does not increase (reused, or 0) is a protocol error: the connection closes saying so, others carry on', async () => {
    raw.call(7, SLEEP, { message: Buffer.alloc(0) });
    const context = await sleeping.promise;
    raw.call(7, UNARY, { message: payload(7) });
    expect(await raw.peer.goaway()).toMatchObject({ code: CloseCode.PROTOCOL_ERROR, reason: 'call id 7 is not above the previous call id 7 (ids increase on a connection)' });
    expect(await aborted(context.signal)).toMatchObject({ code: Status.CANCELLED });
    const zero = await RawRpcClient.connect(h.port);
    zero.call(0, UNARY, { message: payload(0) });
    expect(await zero.peer.goaway()).toMatchObject({ code: CloseCode.PROTOCOL_ERROR, reason: 'CALL on stream 0 (call ids are 1 to 2^32-1)' });
    await zero.destroy();
    await raw.destroy();
    raw = await RawRpcClient.connect(h.port);
    await expectHealthy();
  });

  test('CANCEL, WINDOW, HALF_CLOSE and MESSAGE for unknown ids are ignored', async () => {
    raw.cancel(424242);
    raw.window(424243, 10);
    raw.frame(FrameKind.HALF_CLOSE, 424244);
    raw.frame(FrameKind.MESSAGE, 424245, Buffer.from(payload(1)));
    await expectHealthy();
    expect(raw.peer.frames.filter((f) => f.streamId >= 424242)).toEqual([]);
  });

  test('a handler that never resolves is ended by its deadline (the server times it, no client timer)', async () => {
    const before = Date.now();
    raw.call(1, SLEEP, { message: Buffer.alloc(0), timeoutMs: 80 });
    const context = await sleeping.promise;
    const status = await raw.status(1);
    expect(status).toMatchObject({ code: Status.DEADLINE_EXCEEDED, text: 'deadline of 80 ms exceeded' });
    expect(Date.now() - before).toBeGreaterThanOrEqual(75);
    expect(await aborted(context.signal)).toMatchObject({ code: Status.DEADLINE_EXCEEDED });
    await expectHealthy();
  });

  test('handlers that throw synchronously and asynchronously: UNKNOWN, generic text, real errors logged', async () => {
    const { Delay } = await import('../../generated/test/testing');
    raw.call(3, FAIL, { message: Delay.encode({ ms: 0, text: 'sync' }).finish() });
    raw.call(5, FAIL, { message: Delay.encode({ ms: 0, text: 'async' }).finish() });
    for (const id of [3, 5]) {
      const status = await raw.status(id);
      expect(status).toMatchObject({ code: Status.UNKNOWN, text: 'Unknown server error occurred', details: '' });
      expect(status.trailers.size).toBe(0);
    }
    expect(h.logger.errors.map((e) => (e.error as Error).message).sort()).toEqual(['async crash', 'sync crash']);
    await expectHealthy();
  });

  test('a server stream the client stops reading: the server sends its window of bytes (one message over at most), then a CANCEL closes the generator', async () => {
    await raw.destroy();
    const window = 200;
    raw = await RawRpcClient.connect(h.port, { streamWindowBytes: window });
    raw.call(1, STREAM, { message: payload(0) });
    const bytes = (): number => raw.framesOf(1, FrameKind.MESSAGE).reduce((sum, f) => sum + f.payload.length, 0);
    const largest = (): number => Math.max(...raw.framesOf(1, FrameKind.MESSAGE).map((f) => f.payload.length));
    while (bytes() < window) await raw.messages(1, raw.framesOf(1, FrameKind.MESSAGE).length + 1);
    await settle();
    const first = bytes();
    expect(first).toBeGreaterThanOrEqual(window);
    expect(first).toBeLessThan(window + largest());
    raw.window(1, 100);
    while (bytes() < window + 100) await raw.messages(1, raw.framesOf(1, FrameKind.MESSAGE).length + 1);
    await settle();
    expect(bytes()).toBeLessThan(window + 100 + largest());
    raw.cancel(1);
    await streamClosed.promise;
    expect(await aborted(contexts[0].signal)).toMatchObject({ code: Status.CANCELLED });
    await settle();
    expect(raw.framesOf(1, FrameKind.STATUS)).toHaveLength(0); // a cancelled call gets no status
    await expectHealthy();
  });

  test('a client that starts a request message with no stream credit left: RESOURCE_EXHAUSTED on that call', async () => {
    raw.call(1, CLIENT_STREAM, { metadata: new Metadata({ hold: 'yes' }) });
    // 60 KB messages against the server's 128 KiB stream window: 3 fit (the 3rd overdraws), the 4th may not start.
    const big = (i: number): Buffer => Buffer.from(Payload.encode({ body: Buffer.alloc(60_000, i), seq: i }).finish());
    for (let i = 0; i < 3; i++) raw.frame(FrameKind.MESSAGE, 1, big(i));
    await settle();
    expect(raw.framesOf(1)).toEqual([]); // within the window: accepted, no answer yet
    raw.frame(FrameKind.MESSAGE, 1, big(3));
    const status = await raw.status(1);
    expect(status.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(status.text).toBe('flow control: a request message started with no stream credit left');
    await expectHealthy();
  });

  test('a client whose socket goes away mid-call: the handlers see their signals, the server carries on', async () => {
    raw.call(1, SLEEP, { message: Buffer.alloc(0) });
    raw.call(3, STREAM, { message: payload(0) });
    await sleeping.promise;
    await raw.messages(3, 1);
    await raw.destroy();
    await streamClosed.promise;
    for (const context of contexts) expect(await aborted(context.signal)).toMatchObject({ code: Status.CANCELLED });
    raw = await RawRpcClient.connect(h.port);
    await expectHealthy();
    expect(await h.client.unary({ body: Buffer.from('x'), seq: 1 })).toEqual({ body: Buffer.from('x'), seq: 1 });
  });
});
