// The Node client's WebSocket: a `ws` client per connection attempt, adapted to the byte stream FrameClient reads.
import { WebSocket, type ClientOptions } from 'ws';
import type { StreamDialer } from '../tcp/frame-client';
import { defaultTransportOptions } from '../transport-options';
import { FRAME_HEADER_BYTES } from '../../codec/wire';
import { NodeWebSocketPort } from './node-websocket-port';
import { WEBSOCKET_MAX_SEND_MESSAGE_BYTES, WebSocketByteStream } from './websocket-byte-stream';
import { webSocketEndpoint } from './websocket-url';

/** Options of the Node WebSocket dialer. */
export interface WebSocketDialerOptions {
  /** The channel's maxFrameBytes: the WebSocket message limit is max(this + 10, 64 KiB). Default 4 MiB. */
  maxFrameBytes?: number;
  /** Passed to the `ws` client (headers, origin, ca, rejectUnauthorized, agent, ...). Default none. */
  ws?: ClientOptions;
}

/**
 * Dials `url` (ws:// or wss://) with the `ws` package: framerpc over WebSocket from Node, e.g. through an
 * HTTP-only proxy. WebSocket-level compression is off (framerpc compresses per frame).
 */
export function webSocketDialer(url: string, options: WebSocketDialerOptions = {}): StreamDialer {
  const { host, port } = webSocketEndpoint(url);
  const maxPayload = Math.max((options.maxFrameBytes ?? defaultTransportOptions().maxFrameBytes) + FRAME_HEADER_BYTES, WEBSOCKET_MAX_SEND_MESSAGE_BYTES);
  return {
    target: url,
    dial() {
      const socket = new WebSocket(url, { ...options.ws, perMessageDeflate: false, maxPayload });
      return new WebSocketByteStream(new NodeWebSocketPort(socket, host, port)).asSocket();
    },
  };
}
