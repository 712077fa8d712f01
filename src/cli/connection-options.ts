// The CLI's connection and call options (-H, --timeout, TLS, --xor-key) turned into a Channel and CallOptions.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { CallOptions } from '../client/call-options';
import { Channel } from '../client/channel';
import { ErrorCode } from '../errors';
import { Metadata } from '../rpc/metadata';

/** What every command accepts, as commander parses it. */
export interface ConnectionFlags {
  /** -H key=value, repeatable. */
  header: string[];
  /** --timeout: ms for the whole call (and for connecting); 0 = no deadline. Default 10000. */
  timeout: string;
  /** --tls: TLS with the system's CAs (implied by --ca, --cert, --key). */
  tls?: boolean;
  /** --ca FILE: trust this CA (PEM). */
  ca?: string;
  /** --cert FILE / --key FILE: client certificate and key (PEM). */
  cert?: string;
  key?: string;
  /** --servername NAME: the name checked against the server's certificate. Default the host. */
  servername?: string;
  /** --xor-key KEY: the server's XOR obfuscation key (UTF-8); obfuscation, not encryption. */
  xorKey?: string;
  /** --proto DIR: use the .proto files under DIR instead of reflection. */
  proto?: string;
}

/** A usage mistake: printed without a stack, exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = ErrorCode.CLI_USAGE;
}

/** Splits "host:port" (host defaults to 127.0.0.1). */
export function parseAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw new UsageError(`address ${JSON.stringify(address)} must be host:port`);
  return { host: address.slice(0, colon).replace(/^\[|\]$/g, '') || '127.0.0.1', port };
}

/** The call's deadline in ms; 0 = none (for long interactive streams). */
export function timeoutMsOf(flags: ConnectionFlags): number {
  const timeoutMs = Number(flags.timeout);
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) throw new UsageError(`--timeout must be a number of milliseconds (0 = none), got ${flags.timeout}`);
  return timeoutMs;
}

/** Connecting is always bounded: by the call's timeout, or 10 s without one. */
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** A channel that tries once (no reconnect), bounded by the timeout. */
export function openChannel(address: string, flags: ConnectionFlags): Channel {
  const { host, port } = parseAddress(address);
  const timeoutMs = timeoutMsOf(flags);
  let tls: ConnectionOptions | undefined;
  if (flags.tls || flags.ca || flags.cert || flags.key) {
    if (Boolean(flags.cert) !== Boolean(flags.key)) throw new UsageError('--cert and --key go together');
    tls = {
      // SNI takes a host name only (RFC 6066); an IP address is checked against the certificate's IP entries as is.
      ...(flags.servername ? { servername: flags.servername } : isIP(host) ? {} : { servername: host }),
      ...(flags.ca ? { ca: readFileSync(flags.ca) } : {}),
      ...(flags.cert ? { cert: readFileSync(flags.cert) } : {}),
      ...(flags.key ? { key: readFileSync(flags.key) } : {}),
    };
  }
  return new Channel({
    host,
    port,
    tls,
    xorKey: flags.xorKey === undefined ? undefined : Buffer.from(flags.xorKey, 'utf8'),
    reconnect: false,
    connectTimeoutMs: timeoutMs || DEFAULT_CONNECT_TIMEOUT_MS,
    heartbeatIntervalMs: 0,
  });
}

/** The call options of one CLI call: the -H metadata and the timeout. */
export function callOptionsOf(flags: ConnectionFlags): CallOptions {
  const metadata = new Metadata();
  for (const header of flags.header) {
    const equals = header.indexOf('=');
    if (equals <= 0) throw new UsageError(`-H ${JSON.stringify(header)} must be key=value`);
    metadata.add(header.slice(0, equals).trim().toLowerCase(), header.slice(equals + 1));
  }
  const timeoutMs = timeoutMsOf(flags);
  return timeoutMs > 0 ? { metadata, timeoutMs } : { metadata };
}
