// The receiving end of a stream as an AsyncIterable: bounded by the flow-control window, not by hope.
import { ErrorCode, FramerpcError } from '../errors';

/**
 * Messages of one stream waiting for the application. The sender's credit bounds how many can wait here;
 * `onConsume` lets the call grant credit back as the application reads.
 */
export class MessageQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private readonly sizes: number[] = [];
  private ended = false;
  private error: unknown;
  private waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  private iterating = false;

  constructor(
    /** Called with the wire size of each message the application takes. */
    private onConsume: (bytes: number) => void,
    /** Called when the consumer stops early (break/return). */
    private onAbandon: () => void,
  ) {}

  /** Hands the queue to another producer (a call sent again) while its consumer keeps reading. */
  attach(onConsume: (bytes: number) => void, onAbandon: () => void): void {
    this.onConsume = onConsume;
    this.onAbandon = onAbandon;
  }

  get length(): number {
    return this.items.length;
  }

  /** Queues a message of `bytes` on the wire; false (and nothing queued) once the stream ended. */
  push(item: T, bytes: number): boolean {
    if (this.ended) return false;
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      this.onConsume(bytes);
      waiter.resolve({ value: item, done: false });
    } else {
      this.items.push(item);
      this.sizes.push(bytes);
    }
    return true;
  }

  /** Wire bytes of the messages waiting for the application. */
  get queuedBytes(): number {
    let total = 0;
    for (const size of this.sizes) total += size;
    return total;
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
    if (this.iterating) throw new FramerpcError(ErrorCode.STREAM_ALREADY_ITERATED, 'a message stream can be iterated only once');
    this.iterating = true;
    return {
      next: () => {
        if (this.items.length > 0) {
          this.onConsume(this.sizes.shift() as number);
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
          this.sizes.length = 0;
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
