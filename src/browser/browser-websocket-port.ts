// The browser's side of a WebSocket: the DOM WebSocket (binaryType 'arraybuffer') behind the WebSocketPort face.
import type { WebSocketPort, WebSocketPortEvents } from '../transport/websocket/websocket-port';

/** The part of the DOM WebSocket used here (this package compiles without the DOM typings). */
export interface DomWebSocket {
  binaryType: string;
  readonly bufferedAmount: number;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

const OPEN = 1;
/** How often a browser's bufferedAmount is looked at while waiting for it to fall (it has no drain event). */
const DRAIN_POLL_MS = 5;

/** Wraps a DOM WebSocket. A browser cannot stop reading a WebSocket: `pause` only holds messages back (in the stream). */
export class BrowserWebSocketPort implements WebSocketPort {
  private drainTimer: ReturnType<typeof setTimeout> | undefined;
  private events: WebSocketPortEvents | undefined;

  constructor(
    private readonly socket: DomWebSocket,
    private readonly url: string,
    readonly remoteAddress: string,
    readonly remotePort: number,
  ) {
    socket.binaryType = 'arraybuffer';
  }

  bind(events: WebSocketPortEvents): void {
    const socket = this.socket;
    socket.onopen = () => events.open();
    socket.onmessage = (event) => events.message(typeof event.data === 'string' ? event.data : new Uint8Array(event.data as ArrayBuffer));
    socket.onclose = (event) => {
      clearTimeout(this.drainTimer);
      events.close(event.code, event.reason);
    };
    // The browser tells nothing more (on purpose: no network details to scripts).
    socket.onerror = () => events.error(new Error(`WebSocket ${this.url} failed`));
    this.events = events;
  }

  send(bytes: Uint8Array): void {
    if (this.socket.readyState === OPEN) this.socket.send(bytes);
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  watchDrain(drainedAtBytes: number): void {
    clearTimeout(this.drainTimer);
    const check = (): void => {
      if (this.socket.bufferedAmount <= drainedAtBytes) this.events?.drained();
      else this.drainTimer = setTimeout(check, DRAIN_POLL_MS);
    };
    this.drainTimer = setTimeout(check, DRAIN_POLL_MS);
  }

  close(code: number, reason: string): void {
    // Scripts may close only with 1000 or 3000-4999.
    const allowed = code === 1000 || (code >= 3000 && code <= 4999) ? code : 4000;
    try {
      this.socket.close(allowed, reason);
    } catch {
      this.socket.close();
    }
  }

  terminate(): void {
    this.socket.close();
  }

  pause(): void {}

  resume(): void {}
}
