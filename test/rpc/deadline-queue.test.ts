// The shared deadline queue: expires what is due in deadline order, skips ended calls, stays bounded.
import { DeadlineQueue, type Expirable } from '../../src/rpc/deadline-queue';

class FakeCall implements Expirable {
  deadlineAt = 0;
  deadlineSlot = -1;
  done = false;
  constructor(
    readonly name: string,
    private readonly expired: string[],
  ) {}
  expire(): void {
    this.done = true;
    this.expired.push(this.name);
  }
}

describe('DeadlineQueue', () => {
  afterEach(() => jest.useRealTimers());

  it('expires calls in deadline order, not in the order they were added, and skips ended ones', () => {
    jest.useFakeTimers(); // pure timer logic: fake time, so the test neither sleeps nor depends on the machine's load
    const queue = new DeadlineQueue();
    const expired: string[] = [];
    const late = new FakeCall('late', expired);
    const early = new FakeCall('early', expired);
    const ended = new FakeCall('ended', expired);
    queue.add(late, 60);
    queue.add(ended, 10);
    queue.add(early, 20);
    ended.done = true;
    jest.advanceTimersByTime(19);
    expect(expired).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(expired).toEqual(['early']);
    jest.advanceTimersByTime(39);
    expect(expired).toEqual(['early']);
    jest.advanceTimersByTime(1);
    expect(expired).toEqual(['early', 'late']);
    expect(queue.size).toBe(0);
  });

  it('drops ended calls as it grows, so it holds about twice the calls in flight', () => {
    const queue = new DeadlineQueue();
    const expired: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      const call = new FakeCall(String(i), expired);
      queue.add(call, 60_000);
      call.done = true; // answered long before its deadline
    }
    expect(queue.size).toBeLessThanOrEqual(1024);
    expect(expired).toEqual([]);
  });

  it('lets ended calls take themselves out, holding only the calls in flight, and still expires the rest in order', () => {
    jest.useFakeTimers();
    const queue = new DeadlineQueue();
    const expired: string[] = [];
    const calls: FakeCall[] = [];
    // Deadlines in a scrambled order; every third call ends early and removes itself (from anywhere in the heap).
    for (let i = 0; i < 300; i++) {
      const call = new FakeCall(String(i), expired);
      queue.add(call, 1000 + ((i * 7919) % 300));
      calls.push(call);
    }
    for (let i = 0; i < 300; i += 3) {
      calls[i].done = true;
      queue.remove(calls[i]);
      queue.remove(calls[i]); // twice: nothing
    }
    expect(queue.size).toBe(200);
    jest.advanceTimersByTime(1300);
    const expected = calls.filter((_, i) => i % 3 !== 0).sort((a, b) => a.deadlineAt - b.deadlineAt);
    expect(expired).toEqual(expected.map((call) => call.name));
    expect(queue.size).toBe(0);
  });

  it('holds only the calls in flight when calls remove themselves as they end', () => {
    const queue = new DeadlineQueue();
    const inFlight: FakeCall[] = [];
    for (let i = 0; i < 10_000; i++) {
      const call = new FakeCall(String(i), []);
      queue.add(call, 60_000);
      inFlight.push(call);
      if (inFlight.length > 256) {
        const ended = inFlight.shift() as FakeCall;
        ended.done = true;
        queue.remove(ended);
      }
    }
    expect(queue.size).toBe(256);
  });
});
