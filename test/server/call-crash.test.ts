// One call's error never closes the connection: plain-object trailers on an RpcError, and the safety net
// that fails only the call whose frame handling threw (server and client side).
import { Metadata, RpcError, Status, type CallContext } from '../../src';
import { startHarness, type Harness } from '../rpc/harness';
import { heldSleep } from '../rpc/held-call';

const EMPTY_PAYLOAD = { body: Buffer.alloc(0), seq: 0 };

async function errorOf(call: Promise<unknown>): Promise<RpcError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RpcError);
  return error as RpcError;
}

describe('an RpcError whose metadata is a plain object, with context.trailers set', () => {
  let h: Harness;
  afterEach(() => h.close());

  it.each([
    ['synchronously', false],
    ['from an async handler', true],
  ])('thrown %s: the caller gets its code and both sets of trailers; another call on the connection completes', async (_name, async) => {
    const held = heldSleep();
    h = await startHarness({
      sleep: held.sleep,
      fail(_request, context: CallContext) {
        context.trailers.set('from-context', 'a');
        const error = new RpcError(Status.FAILED_PRECONDITION, 'not now', { metadata: { 'from-error': 'b' } as unknown as Metadata });
        if (async) return Promise.reject(error);
        throw error;
      },
    });
    const inFlight = h.client.sleep({ ms: 0, text: 'still here' });
    await held.running;
    let trailers: Metadata | undefined;
    const error = await errorOf(h.client.fail({ ms: 0, text: '' }, { onTrailers: (t) => void (trailers = t) }));
    expect(error.code).toBe(Status.FAILED_PRECONDITION);
    expect(error.message).toMatch(/not now/);
    expect(trailers?.get('from-context')).toBe('a');
    expect(trailers?.get('from-error')).toBe('b');
    held.release();
    expect((await inFlight).text).toBe('still here');
    expect(h.channel.state).toBe('open');
  });
});

describe("the safety net around routing one call's frame", () => {
  let h: Harness;
  afterEach(() => h.close());

  it("server: an exception while routing a call's frame fails that call with INTERNAL (logged), the connection and other calls carry on", async () => {
    const held = heldSleep();
    h = await startHarness({
      sleep: held.sleep,
      fail() {
        // A thenable whose then() throws: the call's frame handler throws past the handler's own try.
        return {
          then: () => {
            throw new Error('broken thenable');
          },
        } as unknown as Promise<Record<string, never>>;
      },
    });
    const inFlight = h.client.sleep({ ms: 0, text: 'still here' });
    await held.running;
    const error = await errorOf(h.client.fail({ ms: 0, text: '' }));
    expect(error.code).toBe(Status.INTERNAL);
    expect(error.message).toMatch(/internal server error while handling this call/);
    expect(error.message).not.toMatch(/broken thenable/); // the real error is logged, never sent
    const logged = h.logger.errors.find((e) => /internal error while handling frame kind 0x10 of call \d+ \(\/test.v1.TestService\/Fail\)/.test(e.message));
    expect((logged?.error as Error)?.message).toBe('broken thenable');
    held.release();
    expect((await inFlight).text).toBe('still here');
    expect((await h.client.unary({ body: Buffer.from('after'), seq: 3 })).seq).toBe(3);
  });

  it.each([
    ['synchronously', false],
    ['from an async handler', true],
  ])('server: an RpcError that cannot be encoded, thrown %s, fails that call with INTERNAL (logged), without an unhandled rejection', async (_name, async) => {
    const held = heldSleep();
    h = await startHarness({
      sleep: held.sleep,
      fail() {
        const error = new RpcError(Status.ABORTED, 'bad details', { details: 42 as unknown as string });
        if (async) return Promise.reject(error);
        throw error;
      },
    });
    const inFlight = h.client.sleep({ ms: 0, text: 'still here' });
    await held.running;
    const error = await errorOf(h.client.fail({ ms: 0, text: '' }));
    expect(error.code).toBe(Status.INTERNAL);
    expect(h.logger.errors.some((e) => /the error thrown by \/test.v1.TestService\/Fail could not be sent/.test(e.message))).toBe(true);
    held.release();
    expect((await inFlight).text).toBe('still here');
  });

  it('client: an onTrailers callback that throws fails that call with INTERNAL; other calls and the connection carry on', async () => {
    const held = heldSleep();
    h = await startHarness({
      sleep: held.sleep,
      unary(request, context: CallContext) {
        context.trailers.set('t', '1');
        return request;
      },
    });
    const inFlight = h.client.sleep({ ms: 0, text: 'still here' });
    await held.running;
    const error = await errorOf(
      h.client.unary(EMPTY_PAYLOAD, {
        onTrailers: () => {
          throw new Error('the callback broke');
        },
      }),
    );
    expect(error.code).toBe(Status.INTERNAL);
    expect(error.message).toMatch(/the callback broke/);
    held.release();
    expect((await inFlight).text).toBe('still here');
    expect(h.channel.state).toBe('open');
  });
});
