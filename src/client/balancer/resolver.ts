// Where a balanced channel's endpoints come from: a static list, a DNS name's A/AAAA records, or a user function.
import { FramerpcOptionError } from '../../errors';
import { lookup } from 'node:dns/promises';
import { toEndpoint, type Endpoint } from './endpoint';

/**
 * Produces the current endpoints. A balanced channel calls it at start, every `refreshIntervalMs` when set,
 * and soon after an endpoint fails (at most once per `minResolveIntervalMs` of the channel).
 */
export interface Resolver {
  resolve(): Promise<Endpoint[]>;
  /** Re-resolve this often while the channel is open (ms); undefined: only after failures. */
  readonly refreshIntervalMs?: number;
}

/** The same endpoints always. */
export function staticResolver(endpoints: readonly (string | Endpoint)[]): Resolver {
  const list = endpoints.map(toEndpoint);
  return { resolve: () => Promise.resolve(list) };
}

export interface DnsResolverOptions {
  /** Look the name up again this often (ms). Default 30000. */
  refreshIntervalMs?: number;
  /** Which records: 4 (A), 6 (AAAA) or 0 for both. Default 0. */
  family?: 0 | 4 | 6;
}

/**
 * Every address the system resolver gives for `name` (A and AAAA records, and /etc/hosts as for any
 * connect, so 'localhost' works), each with `port`; re-resolved on a period and after failures.
 */
export function dnsResolver(name: string, port: number, options: DnsResolverOptions = {}): Resolver {
  const refreshIntervalMs = options.refreshIntervalMs ?? 30_000;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new FramerpcOptionError('port', `dnsResolver port must be 1-65535, got ${port}`);
  return {
    refreshIntervalMs,
    async resolve() {
      const records = await lookup(name, { all: true, family: options.family ?? 0 });
      const unique = [...new Set(records.map((record) => record.address))];
      return unique.map((host) => ({ host, port }));
    },
  };
}

/** A user function's endpoints (e.g. from service discovery), called as any resolver is. */
export function functionResolver(resolve: () => Promise<readonly (string | Endpoint)[]>, refreshIntervalMs?: number): Resolver {
  return { refreshIntervalMs, resolve: async () => (await resolve()).map(toEndpoint) };
}
