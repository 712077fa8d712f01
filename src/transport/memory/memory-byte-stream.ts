// Two connected in-memory byte streams that behave as a socket pair: asynchronous delivery, pause, backpressure, half-close.
import { EventEmitter } from 'node:events';
import type { ByteStream } from '../byte-stream';

/** Bytes written and not yet taken by the reader past which `write` returns false (as a socket's buffer fills). */
const HIGH_WATER_BYTES = 64 * 1024;
/** Bytes handed to 'data' per event-loop pass at most, as a socket reads at most 64 KiB per read: both directions take turns. */
const READ_BYTES = 64 * 1024;

type Item = Buffer | 'end';

/**
 * One end of an in-memory connection. Writes are copied (as a kernel copies into its buffer, so the
 * reader may change what it received, XOR in place for one) and delivered on a later event-loop pass,
 * in order; a paused reader holds them, which keeps the writer's `writableLength` up and its `write`
 * returning false until it reads again. Starts paused, as a server's socket accepted with pauseOnConnect.
 */
export class MemoryByteStream extends EventEmitter implements ByteStream {
  readonly remoteAddress = 'memory';
  readonly remotePort = 0;
  peer!: MemoryByteStream;
  destroyed = false;
  bytesRead = 0;
  bytesWritten = 0;
  writableNeedDrain = false;
  /** What the peer wrote that this end has not read yet. */
  private readonly inbox: Item[] = [];
  private inboxBytes = 0;
  private paused = true;
  private scheduled = false;
  private ended = false;
  private readEnded = false;
  private endDelivered = false;

  /** Bytes this end wrote that the peer has not read. */
  get writableLength(): number {
    return this.peer.inboxBytes;
  }

  write(chunk: Uint8Array): boolean {
    if (this.destroyed || this.ended) return false;
    if (chunk.length === 0) return !this.writableNeedDrain;
    this.bytesWritten += chunk.length;
    this.peer.receive(Buffer.from(chunk));
    if (this.writableLength > HIGH_WATER_BYTES) this.writableNeedDrain = true;
    return !this.writableNeedDrain;
  }

  end(chunk?: Uint8Array): this {
    if (chunk) this.write(chunk);
    if (this.ended || this.destroyed) return this;
    this.ended = true;
    this.peer.receive('end');
    return this;
  }

  destroy(error?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this.inbox.length = 0;
    this.inboxBytes = 0;
    setImmediate(() => {
      if (error) this.emit('error', error);
      this.emit('close');
      this.peer.destroy(); // the other end sees the connection drop, as after a reset
    });
    return this;
  }

  pause(): this {
    this.paused = true;
    return this;
  }

  resume(): this {
    this.paused = false;
    this.schedule();
    return this;
  }

  isPaused(): boolean {
    return this.paused;
  }

  cork(): void {}
  uncork(): void {}
  setNoDelay(): this {
    return this;
  }

  /** @internal The peer wrote `item`. */
  receive(item: Item): void {
    if (this.destroyed) return;
    this.inbox.push(item);
    if (item !== 'end') this.inboxBytes += item.length;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.paused || this.inbox.length === 0) return;
    this.scheduled = true;
    setImmediate(() => this.deliver());
  }

  private deliver(): void {
    this.scheduled = false;
    let took = 0;
    while (!this.paused && !this.destroyed && this.inbox.length > 0 && took < READ_BYTES) {
      const item = this.inbox.shift() as Item;
      if (item === 'end') {
        this.readEnded = true;
        this.peer.endDelivered = true;
        this.emit('end');
        this.end(); // no half-open connections, as a socket with allowHalfOpen false
        this.peer.closeIfDone();
        this.closeIfDone();
        continue;
      }
      this.inboxBytes -= item.length;
      this.bytesRead += item.length;
      took += item.length;
      this.emit('data', item);
    }
    if (took > 0) this.peer.maybeDrain();
    this.schedule(); // the rest on a later pass
  }

  private maybeDrain(): void {
    if (this.writableNeedDrain && this.writableLength <= HIGH_WATER_BYTES && !this.destroyed) {
      this.writableNeedDrain = false;
      this.emit('drain');
    }
  }

  private closeIfDone(): void {
    if (this.readEnded && this.endDelivered && !this.destroyed) {
      this.destroyed = true;
      setImmediate(() => this.emit('close'));
    }
  }
}

/** Two connected ends: what one writes, the other reads. */
export function createMemoryStreamPair(): [MemoryByteStream, MemoryByteStream] {
  const a = new MemoryByteStream();
  const b = new MemoryByteStream();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
