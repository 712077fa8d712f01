// Options of a BalancedChannel (one logical service over many endpoints), with their documented defaults.
import type { ChannelOptions } from '../channel-options';
import type { RetryPolicyOptions } from '../retry/retry-policy';
import type { Endpoint } from './endpoint';
import type { BalancingPolicy, PolicyName } from './policies';
import type { Resolver } from './resolver';

export interface BalancedChannelOptions extends Omit<ChannelOptions, 'host' | 'port'> {
  /** The endpoints, "host:port" or { host, port } (a static resolver). Give this or `resolver`. */
  endpoints?: readonly (string | Endpoint)[];
  /** Where endpoints come from: a Resolver (see dnsResolver) or a function. Give this or `endpoints`. */
  resolver?: Resolver | (() => Promise<readonly (string | Endpoint)[]>);
  /** Which ready endpoint takes each call. Default 'pick_first' (as gRPC). */
  policy?: PolicyName | BalancingPolicy;
  /**
   * Watch each endpoint's grpc.health.v1 status (the server as a whole, or `service`); NOT_SERVING takes it
   * out of rotation. A server without the health service counts as serving. Default false.
   */
  healthCheck?: boolean | { service: string };
  /** Retries of failed calls of safe methods, and of calls servers never ran; `false`: none. Default {} (see RetryPolicyOptions). */
  retry?: RetryPolicyOptions | false;
  /** After a failure, the resolver is asked again, at most this often. Default 1000 ms. */
  minResolveIntervalMs?: number;
  /** An endpoint the resolver no longer lists gets this long for its calls in flight, then closes. Default 30000 ms. */
  removeGraceMs?: number;
}
