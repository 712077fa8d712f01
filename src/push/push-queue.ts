// A bounded buffer between pushes (arriving at socket speed) and one `for await` consumer (going at its own).

/**
 * @internal The async iterator behind `for await (const m of events.topic)`. Holds at most `capacity`
 * messages: when the consumer falls further behind, the oldest message is dropped and counted (the
 * newest state is usually what a push consumer wants, and memory stays bounded whatever it does).
 */
export class PushQueue<T> implements AsyncIterableIterator<T> {
  private buffer: T[] = [];
  private head = 0;
  private waiter: ((result: IteratorResult<T>) => void) | undefined;
  private ended = false;

  constructor(
    private readonly capacity: number,
    /** Called once per dropped message. */
    private readonly onDrop: () => void,
    /** Called once when the consumer stops (return(), break, or end()). */
    private readonly onEnd: () => void,
  ) {}

  /** Number of messages waiting for the consumer. */
  get size(): number {
    return this.buffer.length - this.head;
  }

  /** Adds a message, dropping the oldest when full. */
  push(message: T): void {
    if (this.ended) return;
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter({ value: message, done: false });
      return;
    }
    if (this.size >= this.capacity) {
      this.buffer[this.head++] = undefined as T;
      this.onDrop();
    }
    this.buffer.push(message);
    // Compact now and then so the array does not grow with the number of messages ever seen.
    if (this.head > 1024 && this.head * 2 > this.buffer.length) {
      this.buffer = this.buffer.slice(this.head);
      this.head = 0;
    }
  }

  /** Ends the iteration after the messages already buffered. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<T>> {
    if (this.size > 0) {
      const value = this.buffer[this.head];
      this.buffer[this.head++] = undefined as T; // let it be collected
      if (this.head === this.buffer.length) {
        this.buffer = [];
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.buffer = [];
    this.head = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
