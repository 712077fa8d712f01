// One server address of a balanced channel ("host:port"), parsed once and keyed by its text.
import { ErrorCode, FramerpcArgumentError } from '../../errors';

/** A server address: host (name or IP) and port. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** The text key of an endpoint, "127.0.0.1:5000" ("[::1]:5000" for IPv6). */
export function endpointKey(endpoint: Endpoint): string {
  return endpoint.host.includes(':') ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
}

/** Parses "host:port" (or "[v6]:port"); throws a TypeError naming the bad text. */
export function parseEndpoint(text: string): Endpoint {
  const colon = text.lastIndexOf(':');
  const port = Number(text.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw new FramerpcArgumentError(ErrorCode.INVALID_TARGET, `endpoint ${JSON.stringify(text)} must be "host:port"`);
  let host = text.slice(0, colon) || '127.0.0.1';
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return { host, port };
}

/** An endpoint given as text or as an object, as an object. */
export function toEndpoint(value: string | Endpoint): Endpoint {
  if (typeof value === 'string') return parseEndpoint(value);
  if (typeof value?.host !== 'string' || !Number.isInteger(value.port)) throw new FramerpcArgumentError(ErrorCode.INVALID_TARGET, `endpoint ${JSON.stringify(value)} must be { host, port }`);
  return { host: value.host, port: value.port };
}
