// createChannel: one address gives a Channel; a list of addresses or a resolver gives a BalancedChannel.
import { BalancedChannel } from './balancer/balanced-channel';
import type { BalancedChannelOptions } from './balancer/balanced-channel-options';
import type { Endpoint } from './balancer/endpoint';
import { createChannel as createSingleChannel, type Channel, type ChannelTargetOptions } from './channel';
import type { ChannelOptions } from './channel-options';

/**
 * Creates a channel. `"host:port"`, a WebSocket URL (`ws://host:port/path`, `wss://...`; `options` then apply)
 * or ChannelOptions: a `Channel` to that one server. A list of
 * addresses, or options with `endpoints` or a `resolver`: a `BalancedChannel` over all of them (policy
 * 'pick_first' unless given). Either connects on first use or `connect()`.
 */
export function createChannel(target: string | ChannelOptions, options?: ChannelTargetOptions): Channel;
export function createChannel(target: readonly (string | Endpoint)[] | BalancedChannelOptions): BalancedChannel;
export function createChannel(target: string | ChannelOptions | readonly (string | Endpoint)[] | BalancedChannelOptions, targetOptions?: ChannelTargetOptions): Channel | BalancedChannel {
  if (Array.isArray(target)) return new BalancedChannel({ endpoints: target as readonly (string | Endpoint)[] });
  if (typeof target === 'string') return createSingleChannel(target, targetOptions);
  const options = target as ChannelOptions | BalancedChannelOptions;
  if ('endpoints' in options || 'resolver' in options) return new BalancedChannel(options as BalancedChannelOptions);
  return createSingleChannel(options as ChannelOptions);
}
