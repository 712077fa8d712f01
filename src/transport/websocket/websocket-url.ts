// Parses a ws:// or wss:// channel target: what a Channel needs besides the dialer.
import { ErrorCode, FramerpcArgumentError } from '../../errors';

/** True when `target` is a WebSocket URL (ws:// or wss://) rather than "host:port". */
export function isWebSocketUrl(target: string): boolean {
  return /^wss?:\/\//i.test(target);
}

/** The host and port of a ws:// or wss:// URL (defaults 80 and 443), for the channel's options and messages. */
export function webSocketEndpoint(url: string): { host: string; port: number; secure: boolean } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FramerpcArgumentError(ErrorCode.INVALID_TARGET, `WebSocket target ${JSON.stringify(url)} is not a URL; use "ws://host:port/path" or "wss://host/path"`);
  }
  const secure = parsed.protocol === 'wss:';
  if (!secure && parsed.protocol !== 'ws:') throw new FramerpcArgumentError(ErrorCode.INVALID_TARGET, `WebSocket target ${JSON.stringify(url)} must start with ws:// or wss://`);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: parsed.port ? Number(parsed.port) : secure ? 443 : 80, secure };
}
