// Flow-control windows in messages, and the bounded message queue that feeds a stream's consumer.
import { INITIAL_WINDOW_MESSAGES, ReceiveWindow, SendWindow } from '../../src/rpc/flow-control';
import { MessageQueue } from '../../src/rpc/message-queue';

describe('SendWindow', () => {
  test('allows exactly the initial window, then waits for a grant', async () => {
    const window = new SendWindow();
    for (let i = 0; i < INITIAL_WINDOW_MESSAGES; i++) expect(window.tryTake()).toBe(true);
    expect(window.tryTake()).toBe(false);
    let woke = false;
    const waiting = window.waitForCredit().then(() => (woke = true));
    await Promise.resolve();
    expect(woke).toBe(false);
    window.grant(2);
    await waiting;
    expect(window.tryTake()).toBe(true);
    expect(window.tryTake()).toBe(true);
    expect(window.tryTake()).toBe(false);
  });

  test('waitForCredit resolves at once while there is credit; release wakes a waiter without credit', async () => {
    const window = new SendWindow();
    await window.waitForCredit();
    while (window.tryTake());
    const waiting = window.waitForCredit();
    window.release();
    await waiting;
    expect(window.tryTake()).toBe(false);
  });
});

describe('ReceiveWindow', () => {
  test('accepts the initial window, refuses more, and grants back once half is consumed', () => {
    const window = new ReceiveWindow();
    for (let i = 0; i < INITIAL_WINDOW_MESSAGES; i++) expect(window.receive()).toBe(true);
    expect(window.receive()).toBe(false);
    const half = INITIAL_WINDOW_MESSAGES / 2;
    for (let i = 1; i < half; i++) expect(window.consume()).toBe(0);
    expect(window.consume()).toBe(half);
    for (let i = 0; i < half; i++) expect(window.receive()).toBe(true);
    expect(window.receive()).toBe(false);
  });

  test('a sender and receiver in lock step never disagree', () => {
    const send = new SendWindow();
    const receive = new ReceiveWindow();
    let delivered = 0;
    for (let round = 0; round < 1000; round++) {
      while (send.tryTake()) {
        expect(receive.receive()).toBe(true);
        delivered++;
      }
      const grant = receive.consume();
      if (grant > 0) send.grant(grant);
    }
    expect(delivered).toBeGreaterThan(900);
  });
});

describe('MessageQueue', () => {
  test('delivers in order, counts each consumed message once, ends after the queued ones', async () => {
    let consumed = 0;
    const queue = new MessageQueue<number>(() => consumed++, () => undefined);
    queue.push(1);
    queue.push(2);
    queue.end();
    queue.push(3); // after end: dropped
    const got: number[] = [];
    for await (const n of queue) got.push(n);
    expect(got).toEqual([1, 2]);
    expect(consumed).toBe(2);
  });

  test('a waiting consumer gets a pushed message at once', async () => {
    let consumed = 0;
    const queue = new MessageQueue<string>(() => consumed++, () => undefined);
    const iterator = queue[Symbol.asyncIterator]();
    const next = iterator.next();
    queue.push('a');
    expect(await next).toEqual({ value: 'a', done: false });
    expect(consumed).toBe(1);
  });

  test('fail: queued messages first, then the error', async () => {
    const queue = new MessageQueue<number>(() => undefined, () => undefined);
    queue.push(1);
    queue.fail(new Error('broken'));
    const iterator = queue[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ value: 1, done: false });
    await expect(iterator.next()).rejects.toThrow('broken');
  });

  test('fail wakes a waiting consumer', async () => {
    const queue = new MessageQueue<number>(() => undefined, () => undefined);
    const next = queue[Symbol.asyncIterator]().next();
    queue.fail(new Error('gone'));
    await expect(next).rejects.toThrow('gone');
  });

  test('breaking out abandons the stream once and drops what was queued', async () => {
    let abandoned = 0;
    const queue = new MessageQueue<number>(() => undefined, () => abandoned++);
    queue.push(1);
    queue.push(2);
    for await (const n of queue) {
      expect(n).toBe(1);
      break;
    }
    expect(abandoned).toBe(1);
    expect(queue.length).toBe(0);
  });

  test('an ended stream is not abandoned by return, and can be iterated only once', async () => {
    let abandoned = 0;
    const queue = new MessageQueue<number>(() => undefined, () => abandoned++);
    queue.end();
    const iterator = queue[Symbol.asyncIterator]();
    await iterator.return?.();
    expect(abandoned).toBe(0);
    expect(() => queue[Symbol.asyncIterator]()).toThrow('a message stream can be iterated only once');
  });
});
