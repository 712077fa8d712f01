// Node's side of a WebSocket: a `ws` WebSocket (server- or client-side) behind the WebSocketPort face.
import type { WebSocket } from 'ws';
import type { WebSocketPort, WebSocketPortEvents } from './websocket-port';

/** Wraps a `ws` WebSocket; `remote` names the peer (from the upgrade request on a server). */
export class NodeWebSocketPort implements WebSocketPort {
  private events: WebSocketPortEvents | undefined;
  private drainWatch: number | undefined;
  private readonly afterSend = (): void => {
    const at = this.drainWatch;
    if (at === undefined || this.socket.bufferedAmount > at) return;
    this.drainWatch = undefined;
    this.events?.drained();
  };

  constructor(
    private readonly socket: WebSocket,
    readonly remoteAddress: string,
    readonly remotePort: number,
  ) {
    socket.binaryType = 'nodebuffer';
  }

  bind(events: WebSocketPortEvents): void {
    this.events = events;
    const socket = this.socket;
    socket.on('open', () => events.open());
    // With binaryType 'nodebuffer' a binary message is one Buffer (fragments already joined).
    socket.on('message', (data: Buffer, isBinary: boolean) => events.message(isBinary ? data : data.toString('utf8')));
    socket.on('close', (code: number, reason: Buffer) => events.close(code, reason.toString('utf8')));
    socket.on('error', (error: Error) => events.error(error));
  }

  send(bytes: Uint8Array): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(bytes, { binary: true }, this.afterSend);
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  watchDrain(drainedAtBytes: number): void {
    this.drainWatch = drainedAtBytes;
    // Nothing in flight: no send callback will come to check.
    if (this.socket.bufferedAmount <= drainedAtBytes) queueMicrotask(this.afterSend);
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.CONNECTING) this.socket.terminate();
    else this.socket.close(code, reason);
  }

  terminate(): void {
    this.socket.terminate();
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }
}
