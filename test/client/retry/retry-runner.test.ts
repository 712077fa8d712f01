// The retry runner on its own: calls a server proved it never ran are retried for any method, within the policy.
import { WorkServiceDefinition } from '../../../generated/test/balancing';
import { RpcError, Status } from '../../../src';
import { prepareMethod } from '../../../src/client/prepared-method';
import { resolveRetryPolicy, retryDelayMs } from '../../../src/client/retry/retry-policy';
import { RetryRunner } from '../../../src/client/retry/retry-runner';

const charge = prepareMethod(WorkServiceDefinition, WorkServiceDefinition.methods.charge);

function notProcessed(): RpcError {
  const error = new RpcError(Status.UNAVAILABLE, 'the server did not process the call');
  error.notProcessed = true;
  return error;
}

describe('RetryRunner', () => {
  it('retries a not-processed call of a method that is not safe, up to maxAttempts', async () => {
    const runner = new RetryRunner({ maxAttempts: 3, initialBackoffMs: 0 });
    let attempts = 0;
    const result = await runner.response(charge, undefined, async () => {
      if (++attempts < 3) throw notProcessed();
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(attempts).toBe(3);
    attempts = 0;
    await expect(
      runner.response(charge, undefined, async () => {
        attempts++;
        throw notProcessed();
      }),
    ).rejects.toMatchObject({ notProcessed: true });
    expect(attempts).toBe(3);
  });

  it('does not retry a call that may have run', async () => {
    const runner = new RetryRunner({ initialBackoffMs: 0 });
    let attempts = 0;
    await expect(
      runner.response(charge, undefined, async () => {
        attempts++;
        throw new RpcError(Status.UNAVAILABLE, 'connection closed');
      }),
    ).rejects.toMatchObject({ code: Status.UNAVAILABLE });
    expect(attempts).toBe(1);
  });

  it('gives up with CANCELLED when the caller aborts during the backoff', async () => {
    const runner = new RetryRunner({ initialBackoffMs: 10_000, maxBackoffMs: 10_000 });
    const controller = new AbortController();
    const random = jest.spyOn(Math, 'random').mockReturnValue(1);
    try {
      const call = runner.response(charge, { signal: controller.signal }, async () => {
        setImmediate(() => controller.abort());
        throw notProcessed();
      });
      await expect(call).rejects.toMatchObject({ code: Status.CANCELLED });
    } finally {
      random.mockRestore();
    }
  });

  it('draws each backoff at random below a bound that grows to maxBackoffMs', () => {
    const policy = resolveRetryPolicy({ initialBackoffMs: 100, maxBackoffMs: 300, backoffMultiplier: 2 });
    expect([1, 2, 3, 4].map((retry) => retryDelayMs(policy, retry, () => 1))).toEqual([100, 200, 300, 300]);
    expect(retryDelayMs(policy, 1, () => 0)).toBe(0);
  });

  it('refuses bad options, naming the field', () => {
    expect(() => resolveRetryPolicy({ maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => resolveRetryPolicy({ initialBackoffMs: -1 })).toThrow(/initialBackoffMs/);
    expect(() => resolveRetryPolicy({ throttle: { maxTokens: 0 } })).toThrow(/throttle/);
  });
});
