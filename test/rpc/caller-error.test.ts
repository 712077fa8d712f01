// The caller's RpcError: `message` names the method and code; `rawMessage` and `details` are as the handler sent them.
import { RpcError, Status } from '../../src';
import { startHarness, type Harness } from './harness';

describe("the caller's error", () => {
  let h: Harness;
  afterEach(() => h.close());

  test('keeps the status message and details as sent, beside the prefixed message', async () => {
    h = await startHarness({
      async fail(request) {
        throw new RpcError(Status.NOT_FOUND, request.text, { details: '{"id":7}' });
      },
    });
    const error: RpcError = await h.client.fail({ ms: 0, text: 'no user: ✗ (id 7)' }).then(
      () => {
        throw new Error('expected the call to fail');
      },
      (caught: RpcError) => caught,
    );
    expect(error.message).toBe('/test.v1.TestService/Fail failed with NOT_FOUND: no user: ✗ (id 7)');
    expect(error.rawMessage).toBe('no user: ✗ (id 7)');
    expect(error.details).toBe('{"id":7}');
    expect(error.method).toBe('/test.v1.TestService/Fail');
  });

  test('for errors raised on the caller side too (a deadline)', async () => {
    h = await startHarness();
    const error = await h.client.sleep({ ms: 5000, text: '' }, { timeoutMs: 20 }).catch((caught: RpcError) => caught);
    expect(error).toMatchObject({ code: Status.DEADLINE_EXCEEDED });
    expect((error as RpcError).message).toBe(`/test.v1.TestService/Sleep failed with DEADLINE_EXCEEDED: ${(error as RpcError).rawMessage}`);
    expect((error as RpcError).rawMessage).not.toBe('');
  });

  test('a handler-side RpcError has rawMessage equal to its message', () => {
    expect(new RpcError(Status.INTERNAL, 'x').rawMessage).toBe('x');
  });
});
