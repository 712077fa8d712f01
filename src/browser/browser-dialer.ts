// Dials framerpc over the browser's own WebSocket, one per connection attempt.
import type { StreamDialer } from '../transport/tcp/frame-client';
import { WebSocketByteStream } from '../transport/websocket/websocket-byte-stream';
import { webSocketEndpoint } from '../transport/websocket/websocket-url';
import { BrowserWebSocketPort, type DomWebSocket } from './browser-websocket-port';

type DomWebSocketConstructor = new (url: string) => DomWebSocket;

/** A dialer of `url` (ws:// or wss://) with `globalThis.WebSocket`. */
export function browserWebSocketDialer(url: string): StreamDialer {
  const { host, port } = webSocketEndpoint(url);
  return {
    target: url,
    dial() {
      const WebSocketClass = (globalThis as { WebSocket?: DomWebSocketConstructor }).WebSocket;
      if (!WebSocketClass) throw new Error('framerpc browser build: this environment has no WebSocket');
      return new WebSocketByteStream(new BrowserWebSocketPort(new WebSocketClass(url), url, host, port)).asSocket();
    },
  };
}
