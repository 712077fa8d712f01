// A WebSocket seen as the byte stream a FrameConnection reads and writes: binary messages in order are the TCP byte stream.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { closeReason, WebSocketCloseCode, type WebSocketPort, type WebSocketPortEvents } from './websocket-port';

/**
 * A sender never puts more than this in one binary message (it splits longer writes), so any receiver whose
 * limit is at least this much takes every message; receivers allow `max(maxFrameBytes + 10, this)`.
 */
export const WEBSOCKET_MAX_SEND_MESSAGE_BYTES = 64 * 1024;
/** `write()` reports backpressure once this many bytes wait to be sent, as a socket's highWaterMark. */
const HIGH_WATER_BYTES = 64 * 1024;
/** 'drain' is emitted when the bytes waiting fall to this. */
const DRAINED_AT_BYTES = 16 * 1024;
/** After a protocol error's close frame, `destroy()` (which follows at once) gives it this long to leave. */
const CLOSE_FRAME_GRACE_MS = 250;

export const TEXT_MESSAGE_REASON = 'framerpc: text WebSocket message; framerpc frames travel in binary messages only';

/**
 * The part of net.Socket that FrameConnection, the handshake and OutboundQueue use (write with cork,
 * writableLength and 'drain' for backpressure; pause and resume; end and destroy; 'data', 'error',
 * 'close'; 'connect' on the client), over one WebSocket. The binary messages received, concatenated,
 * are the byte stream (message boundaries mean nothing). A text message is a protocol error: the
 * WebSocket closes with 1003 and that reason, and the stream reports an error. Created paused, as
 * the TCP server's sockets are (`pauseOnConnect`): messages wait in order until `resume()`.
 */
export class WebSocketByteStream extends EventEmitter implements WebSocketPortEvents {
  readonly remoteAddress: string;
  readonly remotePort: number;
  destroyed = false;
  writableNeedDrain = false;
  private paused = true;
  private delivering = false;
  private readonly inbox: Buffer[] = [];
  private corks = 0;
  private corked: Uint8Array[] = [];
  private corkedBytes = 0;
  private ended = false;
  private closeFrameOwed = false;
  private closeEmitted = false;
  /** The peer closed while messages still waited (paused): the close is reported after them. */
  private pendingClose: { code: number; reason: string } | undefined;

  constructor(private readonly port: WebSocketPort) {
    super();
    this.remoteAddress = port.remoteAddress;
    this.remotePort = port.remotePort;
    port.pause();
    port.bind(this);
  }

  /** This stream where FrameServer and FrameConnection expect a socket (they use only the members above). */
  asSocket(): Socket {
    return this as unknown as Socket;
  }

  get writableLength(): number {
    return this.port.bufferedAmount + this.corkedBytes;
  }

  setNoDelay(): this {
    return this; // a WebSocket message is written when sent
  }

  write(bytes: Uint8Array): boolean {
    if (this.destroyed || this.ended) return false;
    if (this.corks > 0) {
      this.corked.push(bytes);
      this.corkedBytes += bytes.length;
    } else {
      this.sendSplit(bytes);
    }
    return this.checkBackpressure();
  }

  cork(): void {
    this.corks++;
  }

  /** Sends what was written while corked as few messages as possible. */
  uncork(): void {
    if (this.corks === 0 || --this.corks > 0 || this.corked.length === 0) return;
    const parts = this.corked;
    this.corked = [];
    this.corkedBytes = 0;
    this.sendSplit(parts.length === 1 ? parts[0] : Buffer.concat(parts));
    this.checkBackpressure();
  }

  pause(): this {
    this.paused = true;
    this.port.pause();
    return this;
  }

  resume(): this {
    this.paused = false;
    this.port.resume();
    if (this.delivering) return this; // the loop below, further up the stack, goes on
    this.delivering = true;
    try {
      while (!this.paused && this.inbox.length > 0 && !this.destroyed) this.emit('data', this.inbox.shift());
    } finally {
      this.delivering = false;
    }
    const pendingClose = this.pendingClose;
    if (pendingClose && this.inbox.length === 0) this.close(pendingClose.code, pendingClose.reason);
    return this;
  }

  /** Sends `bytes` (if given), then the WebSocket close frame, as a socket sends FIN after its data. */
  end(bytes?: Uint8Array): this {
    if (this.destroyed || this.ended) return this;
    if (bytes) this.write(bytes);
    while (this.corks > 0) this.uncork();
    this.ended = true;
    this.port.close(WebSocketCloseCode.NORMAL, '');
    return this;
  }

  destroy(error?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    // The close frame naming a protocol error gets a moment to reach the peer. (After end(), destroy()
    // comes only when the peer did not finish the closing handshake in closeTimeoutMs.)
    if (this.closeFrameOwed) setTimeout(() => this.port.terminate(), CLOSE_FRAME_GRACE_MS).unref();
    else this.port.terminate();
    queueMicrotask(() => {
      if (error) this.emit('error', error);
      this.emitClose();
    });
    return this;
  }

  /** WebSocketPortEvents: the client's WebSocket opened. */
  open(): void {
    this.emit('connect');
  }

  message(data: Uint8Array | string): void {
    if (this.destroyed) return;
    if (typeof data === 'string') {
      this.fail(WebSocketCloseCode.UNSUPPORTED_DATA, TEXT_MESSAGE_REASON);
      return;
    }
    const chunk = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (this.paused || this.inbox.length > 0) this.inbox.push(chunk);
    else this.emit('data', chunk);
  }

  close(code: number, reason: string): void {
    if (this.inbox.length > 0 && !this.destroyed) {
      this.pendingClose = { code, reason };
      return;
    }
    this.pendingClose = undefined;
    // A close the peer explains is an error for whoever waits on this stream (a handshake, a connect attempt).
    if (!this.destroyed && code !== WebSocketCloseCode.NORMAL && code !== 1005) {
      this.emit('error', new Error(`WebSocket closed with code ${code}${reason ? `: ${reason}` : ''}`));
    }
    this.destroyed = true;
    this.emitClose();
  }

  error(error: Error): void {
    if (!this.destroyed) this.emit('error', error);
  }

  drained(): void {
    if (!this.writableNeedDrain || this.destroyed) return;
    if (this.writableLength > DRAINED_AT_BYTES) {
      this.port.watchDrain(DRAINED_AT_BYTES);
      return;
    }
    this.writableNeedDrain = false;
    this.emit('drain');
  }

  private fail(code: number, reason: string): void {
    this.closeFrameOwed = true;
    this.port.close(code, closeReason(reason));
    this.emit('error', new Error(reason));
  }

  private sendSplit(bytes: Uint8Array): void {
    for (let offset = 0; offset < bytes.length; offset += WEBSOCKET_MAX_SEND_MESSAGE_BYTES) {
      this.port.send(offset === 0 && bytes.length <= WEBSOCKET_MAX_SEND_MESSAGE_BYTES ? bytes : bytes.subarray(offset, offset + WEBSOCKET_MAX_SEND_MESSAGE_BYTES));
    }
  }

  private checkBackpressure(): boolean {
    if (this.writableLength < HIGH_WATER_BYTES) return true;
    if (!this.writableNeedDrain) {
      this.writableNeedDrain = true;
      this.port.watchDrain(DRAINED_AT_BYTES);
    }
    return false;
  }

  private emitClose(): void {
    if (this.closeEmitted) return;
    this.closeEmitted = true;
    this.inbox.length = 0;
    this.emit('close', false);
  }
}
