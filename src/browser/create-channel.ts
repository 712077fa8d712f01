// createChannel for the browser: a ws:// or wss:// URL, over the page's WebSocket.
import { Channel } from '../client/channel';
import type { ChannelOptions } from '../client/channel-options';
import { isWebSocketUrl, webSocketEndpoint } from '../transport/websocket/websocket-url';
import { browserWebSocketDialer } from './browser-dialer';

/**
 * Browser channel options: the Node ones less where and how to connect (a URL decides) and obfuscation
 * (`xorKey`: not in the browser build; use wss://). Compression is negotiated as in Node: the bundle
 * inflates and deflates frames with fflate (pure JS), since framerpc handles each frame synchronously
 * and the browser's CompressionStream is asynchronous.
 */
export type BrowserChannelOptions = Omit<ChannelOptions, 'host' | 'port' | 'tls' | 'dialer' | 'streamDialer' | 'xorKey'>;

/**
 * A channel to a framerpc server's WebSocket endpoint, e.g. `createChannel('wss://example.com/rpc')` or
 * a URL relative to the page's own host: `createChannel('/rpc')`. Reconnects with backoff like a Node channel.
 */
export function createChannel(url: string, options: BrowserChannelOptions = {}): Channel {
  const absolute = isWebSocketUrl(url) ? url : pageRelativeUrl(url);
  const { host, port } = webSocketEndpoint(absolute);
  return new Channel({ ...options, host, port, streamDialer: browserWebSocketDialer(absolute) });
}

function pageRelativeUrl(path: string): string {
  const location = (globalThis as { location?: { protocol: string; host: string } }).location;
  if (!location || !path.startsWith('/')) throw new TypeError(`channel target ${JSON.stringify(path)} must be a ws:// or wss:// URL (or a path, on a page)`);
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${path}`;
}
