// Flow-control windows in bytes, and the bounded message queue that feeds a stream's consumer.
import { ReceiveWindow, SendWindow } from '../../src/rpc/flow-control';
import { MessageQueue } from '../../src/rpc/message-queue';

describe('SendWindow', () => {
  test('a message may start while credit is positive and takes its whole size (overdrawing), then waits for a grant', async () => {
    const window = new SendWindow(1000);
    expect(window.canStart).toBe(true);
    window.take(600);
    expect(window.canStart).toBe(true);
    window.take(600); // a message larger than what is left still starts: the credit goes below zero
    expect(window.canStart).toBe(false);
    let woke = false;
    const waiting = window.waitToStart().then(() => (woke = true));
    window.grant(100); // back to -100: still no start
    await Promise.resolve();
    expect(woke).toBe(false);
    window.grant(101);
    await waiting;
    expect(window.canStart).toBe(true);
  });

  test('waitToStart resolves at once while there is credit; release wakes a waiter without credit', async () => {
    const window = new SendWindow(10);
    await window.waitToStart();
    window.take(10);
    const waiting = window.waitToStart();
    window.release();
    await waiting;
    expect(window.canStart).toBe(false);
  });
});

describe('ReceiveWindow', () => {
  test('lets a message start only with credit left, and grants back once a quarter of the window is owed', () => {
    const window = new ReceiveWindow(1000, 64 * 1024);
    expect(window.startMessage()).toBe(true);
    window.received(1200);
    expect(window.startMessage()).toBe(false);
    expect(window.consumed(200)).toBe(0);
    expect(window.consumed(100)).toBe(300); // 300 >= 1000 / 4
    expect(window.startMessage()).toBe(true);
  });

  test('grants at most maxUngrantedBytes late, whatever the window', () => {
    const window = new ReceiveWindow(16 * 1024 * 1024, 64 * 1024);
    expect(window.consumed(64 * 1024 - 1)).toBe(0);
    expect(window.consumed(1)).toBe(64 * 1024);
  });

  test('a sender and receiver in lock step never disagree, with messages larger than the window', () => {
    const send = new SendWindow(5000);
    const receive = new ReceiveWindow(5000, 64 * 1024);
    let delivered = 0;
    for (let round = 0; round < 1000; round++) {
      const size = 1 + ((round * 7919) % 9000);
      if (!send.canStart) continue;
      expect(receive.startMessage()).toBe(true);
      send.take(size);
      receive.received(size);
      delivered++;
      const grant = receive.consumed(size);
      if (grant > 0) send.grant(grant);
    }
    expect(delivered).toBeGreaterThan(500);
  });
});
describe('MessageQueue', () => {
  test('delivers in order, counts each consumed message once, ends after the queued ones', async () => {
    let consumed = 0;
    const queue = new MessageQueue<number>(
      () => consumed++,
      () => undefined,
    );
    queue.push(1, 1);
    queue.push(2, 1);
    queue.end();
    queue.push(3, 1); // after end: dropped
    const got: number[] = [];
    for await (const n of queue) got.push(n);
    expect(got).toEqual([1, 2]);
    expect(consumed).toBe(2);
  });

  test('a waiting consumer gets a pushed message at once', async () => {
    let consumed = 0;
    const queue = new MessageQueue<string>(
      () => consumed++,
      () => undefined,
    );
    const iterator = queue[Symbol.asyncIterator]();
    const next = iterator.next();
    queue.push('a', 1);
    expect(await next).toEqual({ value: 'a', done: false });
    expect(consumed).toBe(1);
  });

  test('fail: queued messages first, then the error', async () => {
    const queue = new MessageQueue<number>(
      () => undefined,
      () => undefined,
    );
    queue.push(1, 1);
    queue.fail(new Error('broken'));
    const iterator = queue[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ value: 1, done: false });
    await expect(iterator.next()).rejects.toThrow('broken');
  });

  test('fail wakes a waiting consumer', async () => {
    const queue = new MessageQueue<number>(
      () => undefined,
      () => undefined,
    );
    const next = queue[Symbol.asyncIterator]().next();
    queue.fail(new Error('gone'));
    await expect(next).rejects.toThrow('gone');
  });

  test('breaking out abandons the stream once and drops what was queued', async () => {
    let abandoned = 0;
    const queue = new MessageQueue<number>(
      () => undefined,
      () => abandoned++,
    );
    queue.push(1, 1);
    queue.push(2, 1);
    for await (const n of queue) {
      expect(n).toBe(1);
      break;
    }
    expect(abandoned).toBe(1);
    expect(queue.length).toBe(0);
  });

  test('an ended stream is not abandoned by return, and can be iterated only once', async () => {
    let abandoned = 0;
    const queue = new MessageQueue<number>(
      () => undefined,
      () => abandoned++,
    );
    queue.end();
    const iterator = queue[Symbol.asyncIterator]();
    await iterator.return?.();
    expect(abandoned).toBe(0);
    expect(() => queue[Symbol.asyncIterator]()).toThrow('a message stream can be iterated only once');
  });
});
