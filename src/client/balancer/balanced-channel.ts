// One logical service over many endpoints: a subchannel per endpoint, a policy choosing among the ready ones.
import { FramerpcOptionError } from '../../errors';
import { EventEmitter } from 'node:events';
import { RpcError } from '../../rpc/rpc-error';
import { Status } from '../../rpc/status';
import { Channel, type StreamMessageObserver } from '../channel';
import { resolveChannelOptions, type ChannelOptions, type ResolvedChannelOptions } from '../channel-options';
import type { CallChannel } from '../call-channel';
import type { ClientInterceptor } from '../client-interceptor';
import type { Multiplexer } from '../multiplexer';
import { RetryRunner } from '../retry/retry-runner';
import type { BalancedChannelOptions } from './balanced-channel-options';
import { endpointKey, type Endpoint } from './endpoint';
import { EndpointChannel, type EndpointState } from './endpoint-channel';
import { resolvePolicy, type BalancingPolicy } from './policies';
import { functionResolver, staticResolver, type Resolver } from './resolver';

/**
 * idle: not started; connecting: resolving or connecting, never ready yet; open: at least one endpoint is
 * ready; reconnecting: none ready now (each retried with backoff); closed: closed by the user.
 */
export type BalancedChannelState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface BalancedChannelEvents {
  /** The channel's state changed. */
  state: [state: BalancedChannelState, previous: BalancedChannelState];
  /** An endpoint's state changed (it entered or left rotation). */
  endpointState: [endpoint: string, state: EndpointState, previous: EndpointState];
  /** The resolver gave a different list of endpoints. */
  endpoints: [endpoints: string[]];
  /** The resolver failed (or gave no endpoints); the channel keeps the endpoints it has. */
  resolveError: [error: Error];
}

/** What one endpoint looks like now, from `endpointStates()`. */
export interface EndpointStatus {
  readonly endpoint: string;
  readonly state: EndpointState;
  readonly callsInFlight: number;
}

/**
 * Calls over many endpoints. Each endpoint is a `Channel` of its own (reconnect with backoff, GOAWAY, the
 * resend of calls its server never ran); an endpoint that fails, drains or reports NOT_SERVING leaves the
 * rotation until it is ready again. Create typed clients on it with `createClient(Definition, channel)`.
 */
export class BalancedChannel extends EventEmitter<BalancedChannelEvents> implements CallChannel {
  readonly options: ResolvedChannelOptions;
  readonly retry: RetryRunner | undefined;
  /** @internal */
  readonly streamObservers: StreamMessageObserver[] = [];
  private readonly resolver: Resolver;
  private readonly policy: BalancingPolicy;
  private readonly subchannelOptions: Omit<ChannelOptions, 'host' | 'port'>;
  private readonly healthService: string | undefined;
  private readonly minResolveIntervalMs: number;
  private readonly removeGraceMs: number;
  /** By key, in resolver order. */
  private subchannels = new Map<string, EndpointChannel>();
  /** The ready ones, in resolver order (what the policy picks from). */
  private ready: EndpointChannel[] = [];
  private stateValue: BalancedChannelState = 'idle';
  private everOpen = false;
  private resolvedOnce = false;
  private resolving: Promise<void> | undefined;
  private lastResolveAt = 0;
  private resolveTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  /** Removed endpoints still finishing their calls, by the timer that watches them. */
  private readonly retiring = new Map<NodeJS.Timeout, EndpointChannel>();
  private changeWaiters = new Set<() => void>();

  constructor(options: BalancedChannelOptions) {
    super();
    const { endpoints, resolver, policy, healthCheck, retry, minResolveIntervalMs, removeGraceMs, interceptors, ...channelOptions } = options;
    this.options = resolveChannelOptions({ ...channelOptions, interceptors, port: 0 });
    this.subchannelOptions = channelOptions;
    if ((endpoints === undefined) === (resolver === undefined)) throw new FramerpcOptionError('endpoints', 'a balanced channel needs exactly one of the options endpoints and resolver');
    this.resolver = endpoints ? staticResolver(endpoints) : typeof resolver === 'function' ? functionResolver(resolver) : resolver!;
    this.policy = resolvePolicy(policy);
    this.healthService = healthCheck === undefined || healthCheck === false ? undefined : healthCheck === true ? '' : healthCheck.service;
    this.retry = retry === false ? undefined : new RetryRunner(retry);
    this.minResolveIntervalMs = minResolveIntervalMs ?? 1000;
    this.removeGraceMs = removeGraceMs ?? 30_000;
    for (const [key, value] of [
      ['minResolveIntervalMs', this.minResolveIntervalMs],
      ['removeGraceMs', this.removeGraceMs],
    ] as const) {
      if (!Number.isInteger(value) || value < 0) throw new FramerpcOptionError(key, `channel option ${key} must be a non-negative integer of ms, got ${value}`);
    }
  }

  get state(): BalancedChannelState {
    return this.stateValue;
  }

  /** Each endpoint's state and calls in flight, in resolver order. */
  endpointStates(): EndpointStatus[] {
    return [...this.subchannels.values()].map((sub) => ({ endpoint: sub.key, state: sub.state, callsInFlight: sub.load }));
  }

  /** Adds a client interceptor: by default after those given in the options; `'first'` makes it the outermost. */
  use(interceptor: ClientInterceptor, position: 'last' | 'first' = 'last'): this {
    if (position === 'first') this.options.interceptors.unshift(interceptor);
    else this.options.interceptors.push(interceptor);
    return this;
  }

  /** Resolves and connects; resolves once an endpoint is ready, rejects if the channel closes first. */
  async connect(): Promise<this> {
    this.start();
    while (this.stateValue !== 'open') {
      if (this.stateValue === 'closed') throw new Error('the balanced channel closed before an endpoint was ready');
      await this.nextChange(undefined);
    }
    return this;
  }

  /** Asks the resolver for the endpoints now (e.g. when service discovery says they changed). */
  refresh(): Promise<void> {
    this.start();
    return this.resolveNow();
  }

  /** Closes every endpoint; calls in flight fail with UNAVAILABLE. */
  close(): void {
    if (this.stateValue === 'closed') return;
    clearTimeout(this.resolveTimer);
    clearInterval(this.refreshTimer);
    for (const [timer, sub] of this.retiring) {
      clearInterval(timer);
      sub.close();
    }
    this.retiring.clear();
    this.setState('closed');
    for (const sub of this.subchannels.values()) sub.close();
    this.subchannels.clear();
    this.ready = [];
    this.changed();
  }

  /** @internal The multiplexer of the endpoint the policy picks among the ready ones, or undefined. */
  readyMultiplexer(): Multiplexer | undefined {
    const ready = this.ready;
    if (ready.length === 0) {
      this.start();
      return undefined;
    }
    const picked = ready.length === 1 ? ready[0] : this.policy.pick(ready);
    const mux = picked.channel.readyMultiplexer();
    if (mux) return mux;
    for (const other of ready) {
      const fallback = other.channel.readyMultiplexer();
      if (fallback) return fallback;
    }
    return undefined;
  }

  /**
   * @internal Waits for a ready endpoint. Without waitForReady a call waits only while the channel has never
   * been ready and is still resolving or making first attempts; otherwise it fails at once with UNAVAILABLE
   * (marked not processed: it reached no server). Bounded by the signal.
   */
  async multiplexer(waitForReady: boolean, signal: AbortSignal | undefined): Promise<Multiplexer> {
    for (;;) {
      const mux = this.readyMultiplexer();
      if (mux) return mux;
      if (this.stateValue === 'closed') throw this.unavailable('the channel is closed');
      if (!waitForReady && !this.firstAttemptsPending()) throw this.unavailable('no endpoint is ready');
      await this.nextChange(signal);
    }
  }

  private firstAttemptsPending(): boolean {
    if (!this.resolvedOnce) return true;
    for (const sub of this.subchannels.values()) if (sub.state === 'idle' || sub.state === 'connecting') return true;
    return false;
  }

  private start(): void {
    if (this.stateValue !== 'idle') return;
    this.setState('connecting');
    void this.resolveNow(); // never rejects: failures become 'resolveError' events
    const every = this.resolver.refreshIntervalMs;
    if (every !== undefined && every > 0) this.refreshTimer = setInterval(() => void this.resolveNow(), every).unref();
  }

  private resolveNow(): Promise<void> {
    if (this.stateValue === 'closed') return Promise.resolve();
    this.resolving ??= (async () => {
      let failed = false;
      try {
        const endpoints = await this.resolver.resolve();
        if (endpoints.length === 0) throw new Error('the resolver gave no endpoints');
        this.apply(endpoints);
      } catch (error) {
        failed = true;
        this.emit('resolveError', error instanceof Error ? error : new Error(String(error)));
      } finally {
        this.lastResolveAt = Date.now();
        this.resolving = undefined;
        this.resolvedOnce = true;
        this.updateState();
        this.changed();
      }
      // With no endpoint at all no failure would ask again: ask again after minResolveIntervalMs.
      if (failed && this.subchannels.size === 0) this.requestResolve();
    })();
    return this.resolving;
  }

  /** An endpoint failed: ask the resolver again soon, at most once per minResolveIntervalMs. */
  private requestResolve(): void {
    if (this.stateValue === 'closed' || this.resolveTimer) return;
    const wait = Math.max(0, this.lastResolveAt + this.minResolveIntervalMs - Date.now());
    this.resolveTimer = setTimeout(() => {
      this.resolveTimer = undefined;
      void this.resolveNow();
    }, wait).unref();
  }

  private apply(endpoints: readonly Endpoint[]): void {
    if (this.stateValue === 'closed') return;
    const next = new Map<string, EndpointChannel>();
    for (const endpoint of endpoints) {
      const key = endpointKey(endpoint);
      if (next.has(key)) continue;
      // A subchannel that gave up (reconnect maxAttempts) is replaced by a fresh one.
      const existing = this.subchannels.get(key);
      next.set(key, existing && existing.state !== 'shutdown' ? existing : this.createSubchannel(endpoint));
    }
    const before = [...this.subchannels.keys()];
    const changed = next.size !== before.length || [...next.keys()].some((key, i) => before[i] !== key);
    for (const [key, sub] of this.subchannels) if (next.get(key) !== sub) this.retire(sub);
    this.subchannels = next;
    for (const sub of next.values()) sub.connect();
    this.rebuildReady();
    if (changed) this.emit('endpoints', [...next.keys()]);
  }

  private createSubchannel(endpoint: Endpoint): EndpointChannel {
    const channel = new Channel({ ...this.subchannelOptions, host: endpoint.host, port: endpoint.port });
    const sub = new EndpointChannel(endpoint, channel, this.healthService);
    sub.on('state', (state, previous) => {
      if (this.subchannels.get(sub.key) === sub) {
        this.rebuildReady();
        this.emit('endpointState', sub.key, state, previous);
      }
    });
    sub.on('failure', () => {
      if (this.subchannels.get(sub.key) === sub) this.requestResolve();
    });
    return sub;
  }

  /** A removed endpoint leaves rotation now and closes once its calls are done (or after removeGraceMs). */
  private retire(sub: EndpointChannel): void {
    const started = Date.now();
    sub.stopHealthWatch();
    const done = (): boolean => (sub.state !== 'ready' && sub.state !== 'not_serving' ? true : sub.load === 0 || Date.now() - started >= this.removeGraceMs);
    if (done()) {
      sub.close();
      return;
    }
    const timer = setInterval(() => {
      if (!done()) return;
      clearInterval(timer);
      this.retiring.delete(timer);
      sub.close();
    }, 50).unref();
    this.retiring.set(timer, sub);
  }

  private rebuildReady(): void {
    this.ready = [...this.subchannels.values()].filter((sub) => sub.state === 'ready');
    this.updateState();
    this.changed();
  }

  private updateState(): void {
    if (this.stateValue === 'closed' || this.stateValue === 'idle') return;
    if (this.ready.length > 0) {
      this.everOpen = true;
      this.setState('open');
    } else {
      this.setState(!this.everOpen && this.firstAttemptsPending() ? 'connecting' : 'reconnecting');
    }
  }

  private setState(state: BalancedChannelState): void {
    const previous = this.stateValue;
    if (previous === state) return;
    this.stateValue = state;
    this.emit('state', state, previous);
  }

  /** Wakes every call waiting for an endpoint (one callback each, removed when settled). */
  private changed(): void {
    const waiters = this.changeWaiters;
    this.changeWaiters = new Set();
    for (const wake of waiters) wake();
  }

  private nextChange(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.changeWaiters.delete(wake);
        reject(signal!.reason);
      };
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.changeWaiters.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private unavailable(reason: string): RpcError {
    const states = this.endpointStates()
      .map((status) => `${status.endpoint} ${status.state}`)
      .join(', ');
    const error = new RpcError(Status.UNAVAILABLE, `${reason} (${states || 'no endpoints resolved'})`);
    error.notProcessed = true;
    return error;
  }
}
