// Balanced channels: many endpoints behind one channel, how they are found and chosen.
export { BalancedChannel, type BalancedChannelEvents, type BalancedChannelState, type EndpointStatus } from './balanced-channel';
export type { BalancedChannelOptions } from './balanced-channel-options';
export type { EndpointState } from './endpoint-channel';
export type { Endpoint } from './endpoint';
export { staticResolver, dnsResolver, functionResolver, type Resolver, type DnsResolverOptions } from './resolver';
export { pickFirst, roundRobin, leastLoaded, type BalancingPolicy, type PolicyName, type Pickable } from './policies';
