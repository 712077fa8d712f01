// The RpcServer facade: graceful close lets calls in flight finish while new calls get UNAVAILABLE.
import { once } from 'node:events';
import { RpcError, Status, type CallContext } from '../../src';
import { CloseCode, FrameKind } from '../../src/codec/wire';
import { Payload } from '../../generated/test/testing';
import { aborted, deferred, startHarness, type Harness } from '../rpc/harness';
import { RawRpcClient } from '../rpc/raw-rpc';

function failure(promise: Promise<unknown>): Promise<RpcError> {
  return promise.then(
    (value) => {
      throw new Error(`expected the call to fail, it returned ${JSON.stringify(value)}`);
    },
    (error: RpcError) => error,
  );
}

describe('graceful close', () => {
  let h: Harness;
  const release = { current: deferred() };
  let started = deferred<CallContext>();

  beforeEach(async () => {
    release.current = deferred();
    started = deferred<CallContext>();
    h = await startHarness({
      async sleep(request, context) {
        started.resolve(context);
        await Promise.race([release.current.promise, aborted(context.signal)]);
        return request;
      },
    });
  });
  afterEach(() => h.close());

  test('close(graceMs) lets a call in flight finish and its caller gets the answer; new calls get UNAVAILABLE', async () => {
    const inFlight = h.client.sleep({ ms: 0, text: 'finish me' });
    await started.promise;
    const connection = h.channel.transport.connection!;
    const goaway = once(connection, 'goaway');
    let closed = false;
    const closing = h.server.close(5000).then(() => (closed = true));
    await goaway;
    const refused = await failure(h.client.unary({ body: Buffer.alloc(0), seq: 1 }));
    expect(refused.code).toBe(Status.UNAVAILABLE);
    expect(refused.message).toMatch(/shutting down/);
    expect(closed).toBe(false);
    release.current.resolve();
    expect(await inFlight).toEqual({ ms: 0, text: 'finish me' });
    await closing;
    expect(closed).toBe(true);
  });

  test('a waitForReady call during the drain is bounded by its deadline', async () => {
    const inFlight = h.client.sleep({ ms: 0, text: '' });
    await started.promise;
    const goaway = once(h.channel.transport.connection!, 'goaway');
    const closing = h.server.close(5000);
    await goaway;
    const before = Date.now();
    const waited = await failure(h.client.unary({ body: Buffer.alloc(0), seq: 1 }, { waitForReady: true, timeoutMs: 100 }));
    expect(waited.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(Date.now() - before).toBeLessThan(1000);
    release.current.resolve();
    await inFlight;
    await closing;
  });

  test('a CALL that arrives after the GOAWAY is refused with UNAVAILABLE on the server side too', async () => {
    const raw = await RawRpcClient.connect(h.port);
    try {
      raw.call(1, '/test.v1.TestService/Sleep', { message: Buffer.alloc(0) });
      await started.promise;
      const closing = h.server.close(5000);
      expect(await raw.peer.goaway()).toMatchObject({ code: CloseCode.SHUTTING_DOWN, lastCallId: 1 });
      raw.call(3, '/test.v1.TestService/Unary', { message: Payload.encode({ body: Buffer.alloc(0), seq: 1 }).finish() });
      const refused = await raw.status(3);
      expect(refused.code).toBe(Status.UNAVAILABLE);
      expect(refused.text).toBe('the server is shutting down and did not run this call (above the last accepted call id 1); retry on another connection');
      release.current.resolve();
      expect((await raw.status(1)).code).toBe(Status.OK);
      await closing;
      expect(raw.peer.frames.some((f) => f.kind === FrameKind.GOAWAY)).toBe(true);
    } finally {
      await raw.destroy();
    }
  });

  test('when the grace period runs out, the remaining calls fail with UNAVAILABLE and their handlers see their signal', async () => {
    const inFlight = failure(h.client.sleep({ ms: 0, text: '' }));
    const context = await started.promise;
    const before = Date.now();
    await h.server.close(50);
    expect(Date.now() - before).toBeGreaterThanOrEqual(45);
    expect((await inFlight).code).toBe(Status.UNAVAILABLE);
    expect(await aborted(context.signal)).toMatchObject({ code: Status.CANCELLED });
  });

  test('close() with nothing in flight resolves promptly and the port stops accepting', async () => {
    await h.server.close();
    const error = await failure(h.client.unary({ body: Buffer.alloc(0), seq: 1 }));
    expect(error.code).toBe(Status.UNAVAILABLE);
  });
});
