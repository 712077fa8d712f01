// The receiving end of a stream as an AsyncIterable: bounded by the flow-control window, not by hope.

/**
 * Messages of one stream waiting for the application. The sender's credit bounds how many can wait here;
 * `onConsume` lets the call grant credit back as the application reads.
 */
export class MessageQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private ended = false;
  private error: unknown;
  private waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  private iterating = false;

  constructor(
    private readonly onConsume: () => void,
    /** Called when the consumer stops early (break/return). */
    private readonly onAbandon: () => void,
  ) {}

  get length(): number {
    return this.items.length;
  }

  push(item: T): void {
    if (this.ended) return;
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      this.onConsume();
      waiter.resolve({ value: item, done: false });
    } else {
      this.items.push(item);
    }
  }

  /** No more messages: the iteration completes after those already queued. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.wake();
  }

  /** The stream failed: the iteration throws after those already queued. */
  fail(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.error = error;
    this.wake();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    if (this.iterating) throw new Error('a message stream can be iterated only once');
    this.iterating = true;
    return {
      next: () => {
        if (this.items.length > 0) {
          this.onConsume();
          return Promise.resolve({ value: this.items.shift() as T, done: false });
        }
        if (this.ended) return this.error === undefined ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(this.error);
        return new Promise((resolve, reject) => {
          this.waiter = { resolve, reject };
        });
      },
      return: () => {
        if (!this.ended) {
          this.ended = true;
          this.items.length = 0;
          this.onAbandon();
        }
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  private wake(): void {
    const waiter = this.waiter;
    if (!waiter || this.items.length > 0) return;
    this.waiter = undefined;
    if (this.error === undefined) waiter.resolve({ value: undefined, done: true });
    else waiter.reject(this.error);
  }
}
