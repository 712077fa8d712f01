// Timeouts beyond what a Node timer holds (2^31-1 ms, valid on the wire): no overflow warning, no timer spin.
import { DeadlineQueue } from '../../src/rpc/deadline-queue';
import { resolveTransportOptions } from '../../src/transport';
import { backoffDelay, defaultBackoffOptions } from '../../src/transport/backoff';
import { MAX_TIMER_MS } from '../../src/transport/timer-limit';
import { Channel } from '../../src/client/channel';
import { createClient } from '../../src';
import { recordWarnings, type WarningRecorder } from '../transport/process-warnings';
import { startHarness, TestServiceDefinition, type Harness } from './harness';

const THIRTY_DAYS_MS = 30 * 24 * 3600 * 1000;

describe('timeouts longer than a Node timer holds', () => {
  let harness: Harness;
  let recorder: WarningRecorder;

  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness.close();
  });
  beforeEach(() => {
    recorder = recordWarnings();
  });
  afterEach(() => recorder.stop());

  it('a call with a 30-day timeout succeeds, with no TimeoutOverflowWarning on either side', async () => {
    const reply = await harness.client.sleep({ ms: 20, text: 'long' }, { timeoutMs: THIRTY_DAYS_MS });
    expect(reply.text).toBe('long');
    expect(await recorder.named('TimeoutOverflowWarning')).toEqual([]);
  });

  it('a call with a 30-day timeout made before the channel is connected waits for the connection, not 1 ms', async () => {
    const channel = new Channel({ port: harness.port });
    try {
      const client = createClient(TestServiceDefinition, channel);
      const reply = await client.unary({ body: Buffer.from('x'), seq: 7 }, { timeoutMs: THIRTY_DAYS_MS });
      expect(reply.seq).toBe(7);
      expect(await recorder.named('TimeoutOverflowWarning')).toEqual([]);
    } finally {
      channel.close();
    }
  });

  it('the deadline queue arms one clamped timer for a 30-day deadline instead of re-arming every 1 ms', () => {
    // Pure timer logic: fake timers, so the observation window costs no wall time and does not depend on load.
    jest.useFakeTimers();
    const queue = new DeadlineQueue();
    const call: { deadlineAt: number; done: boolean; expire(): void } = { deadlineAt: 0, done: false, expire: () => undefined };
    const spy = jest.spyOn(global, 'setTimeout');
    try {
      queue.add(call, THIRTY_DAYS_MS);
      expect(spy.mock.calls.map((args) => args[1])).toEqual([MAX_TIMER_MS]);
      // 50 ms: a spinning timer would be re-armed about once per millisecond in it.
      jest.advanceTimersByTime(50);
      expect(spy).toHaveBeenCalledTimes(1);
      // When the clamped timer fires, the deadline is still far off: it is armed once more, not expired.
      jest.advanceTimersByTime(MAX_TIMER_MS);
      expect(spy).toHaveBeenCalledTimes(2);
      expect(call.done).toBe(false);
    } finally {
      call.done = true;
      spy.mockRestore();
      jest.useRealTimers();
    }
  });

  it('transport timeouts longer than a timer holds are refused naming the field', () => {
    expect(() => resolveTransportOptions({ idleTimeoutMs: THIRTY_DAYS_MS })).toThrow(/transport option idleTimeoutMs must be at most 2147483647 ms/);
    expect(() => resolveTransportOptions({ heartbeatIntervalMs: MAX_TIMER_MS })).not.toThrow();
  });

  it('reconnect delays are bounded by what a timer holds', () => {
    const options = { ...defaultBackoffOptions(), initialDelayMs: THIRTY_DAYS_MS, maxDelayMs: THIRTY_DAYS_MS, jitter: 0 };
    expect(backoffDelay(options, 1)).toBe(MAX_TIMER_MS);
  });
});
