// The adaptive push linger as a pure policy: flushDelayMs when quiet, connections flushed / flushWritesPerMs
// under load, never past maxFlushDelayMs.
import { PushError, PushHub, RpcServer } from '../../src';
import { FlushLinger } from '../../src/push/flush-linger';
import { defaultPushHubOptions } from '../../src/push/push-options';

const settings = { baseMs: 2, maxMs: 8, writesPerMs: 200 };

describe('FlushLinger', () => {
  test('a quiet hub holds a round only the base delay, however large the last fan-out was', () => {
    const linger = new FlushLinger(settings);
    expect(linger.delayMs(0)).toBe(2); // nothing flushed yet
    linger.flushed(5000, 100);
    expect(linger.delayMs(100 + 8.5)).toBe(2); // more than maxMs since the last flush
    expect(linger.delayMs(100 + 60_000)).toBe(2);
  });

  test('under load the next round waits connections flushed / writesPerMs', () => {
    const linger = new FlushLinger(settings);
    linger.flushed(1000, 10);
    expect(linger.delayMs(10.4)).toBe(5); // 1000 writes at 200 per ms
    linger.flushed(1200, 15.4);
    expect(linger.delayMs(15.5)).toBe(6);
  });

  test('a small fan-out keeps the base delay, a huge one is bounded by maxMs', () => {
    const linger = new FlushLinger(settings);
    linger.flushed(100, 0);
    expect(linger.delayMs(1)).toBe(2); // 0.5 ms of writes: below the base
    linger.flushed(100_000, 1);
    expect(linger.delayMs(1.1)).toBe(8);
  });

  test('the delay falls back as the fan-out shrinks', () => {
    const linger = new FlushLinger(settings);
    linger.flushed(2000, 0);
    expect(linger.delayMs(0.1)).toBe(8);
    linger.flushed(600, 8.1);
    expect(linger.delayMs(8.2)).toBe(3);
  });

  test('maxMs equal to baseMs is a fixed linger', () => {
    const linger = new FlushLinger({ baseMs: 2, maxMs: 2, writesPerMs: 1 });
    linger.flushed(10_000, 0);
    expect(linger.delayMs(0.5)).toBe(2);
  });
});

describe('PushHubOptions of the adaptive linger', () => {
  test('defaults: 2 ms when quiet, up to 10 ms, above 100 writes per ms', () => {
    const defaults = defaultPushHubOptions();
    expect([defaults.flushDelayMs, defaults.maxFlushDelayMs, defaults.flushWritesPerMs]).toEqual([2, 20, 100]);
  });

  test('are validated, naming the field', () => {
    const server = new RpcServer();
    expect(() => new PushHub(server, { maxFlushDelayMs: -1 })).toThrow(/maxFlushDelayMs must be a number of ms from 0 to 1000/);
    expect(() => new PushHub(server, { maxFlushDelayMs: 2000 })).toThrow(PushError);
    expect(() => new PushHub(server, { flushWritesPerMs: 0 })).toThrow(/flushWritesPerMs must be a positive number/);
    expect(() => new PushHub(server, { flushWritesPerMs: Number.NaN })).toThrow(PushError);
  });
});
