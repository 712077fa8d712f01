// One endpoint of a balanced channel: a single-endpoint Channel (reconnect, GOAWAY, resend) plus its health.
import { EventEmitter } from 'node:events';
import { HealthCheckResponse_ServingStatus, HealthDefinition } from '../../../generated/grpc/health/v1/health';
import { RpcError } from '../../rpc/rpc-error';
import { Status } from '../../rpc/status';
import type { Channel } from '../channel';
import { createClient } from '../create-client';
import { endpointKey, type Endpoint } from './endpoint';
import type { Pickable } from './policies';

/**
 * idle: not connected yet; connecting: first attempt (or first health answer) under way; ready: takes calls;
 * not_serving: connected but its health Watch says NOT_SERVING; transient_failure: lost, failed or draining
 * (GOAWAY), reconnecting with backoff; shutdown: closed (removed from the channel, or the channel closed).
 */
export type EndpointState = 'idle' | 'connecting' | 'ready' | 'not_serving' | 'transient_failure' | 'shutdown';

export interface EndpointChannelEvents {
  state: [state: EndpointState, previous: EndpointState];
  /** The endpoint failed: a connect failed, the connection dropped, or it sent GOAWAY. */
  failure: [];
}

// After the server ends a Watch on a connection that still takes calls, watch again this much later.
const REWATCH_DELAY_MS = 1000;

/** An endpoint's connection, its rotation state, and its load (calls in flight) for the policies. */
export class EndpointChannel extends EventEmitter<EndpointChannelEvents> implements Pickable {
  readonly key: string;
  private stateValue: EndpointState = 'idle';
  /** Health: undefined while the first answer on this connection is awaited (health checking on only). */
  private serving: boolean | undefined = true;
  private watch: AbortController | undefined;

  constructor(
    readonly endpoint: Endpoint,
    readonly channel: Channel,
    /** The grpc.health.v1 service name to watch ("" = the server), or undefined not to watch. */
    private readonly healthService: string | undefined,
  ) {
    super();
    this.key = endpointKey(endpoint);
    channel.on('state', () => this.update());
    channel.on('connect', () => {
      this.watchHealth(true);
      this.update();
    });
    channel.on('goaway', () => {
      this.update();
      this.emit('failure');
    });
    channel.on('disconnect', () => {
      this.update();
      this.emit('failure');
    });
  }

  get state(): EndpointState {
    return this.stateValue;
  }

  /** Calls in flight on the open connection. */
  get load(): number {
    return this.channel.readyMultiplexer()?.callsInFlight ?? 0;
  }

  /** Starts connecting (once). */
  connect(): void {
    if (this.channel.state === 'idle') this.channel.connect().catch(() => undefined);
  }

  /** Stops watching health (the endpoint is leaving; its Watch call should not hold it open). */
  stopHealthWatch(): void {
    const watch = this.watch;
    this.watch = undefined;
    watch?.abort();
  }

  /** Stops watching health and closes the connection (calls in flight on it fail with UNAVAILABLE). */
  close(): void {
    this.stopHealthWatch();
    this.channel.close();
    this.update();
  }

  private update(): void {
    const next = this.derive();
    const previous = this.stateValue;
    if (next === previous) return;
    this.stateValue = next;
    this.emit('state', next, previous);
  }

  private derive(): EndpointState {
    switch (this.channel.state) {
      case 'idle':
        return 'idle';
      case 'connecting':
        return 'connecting';
      case 'reconnecting':
        return 'transient_failure';
      case 'closed':
        return 'shutdown';
      case 'open':
        if (!this.channel.readyMultiplexer()) return 'transient_failure';
        if (this.serving === undefined) return 'connecting';
        return this.serving ? 'ready' : 'not_serving';
    }
  }

  /**
   * Watches grpc.health.v1 on each new connection (`connected`: a new one, whose first answer is awaited); a
   * server without it (UNIMPLEMENTED) counts as serving.
   */
  private watchHealth(connected: boolean): void {
    if (this.healthService === undefined) return;
    this.watch?.abort();
    const watch = new AbortController();
    this.watch = watch;
    if (connected) this.serving = undefined;
    const stream = createClient(HealthDefinition, this.channel).watch({ service: this.healthService }, { signal: watch.signal });
    void (async () => {
      try {
        for await (const reply of stream) {
          if (this.watch !== watch) return;
          this.serving = reply.status === HealthCheckResponse_ServingStatus.SERVING;
          this.update();
        }
        // The server ended the Watch (it does when it shuts down): out of rotation; watched again after a
        // pause if the connection still takes calls, else on the next connection.
        if (this.watch === watch) {
          this.serving = false;
          setTimeout(() => {
            if (this.watch === watch && this.channel.readyMultiplexer()) this.watchHealth(false);
          }, REWATCH_DELAY_MS).unref();
        }
      } catch (error) {
        if (this.watch !== watch) return;
        // No health service there: judge the endpoint by its connection alone. Other errors (the connection
        // dropped) are followed by a new connection, and a new Watch.
        this.serving = error instanceof RpcError && error.code === Status.UNIMPLEMENTED ? true : (this.serving ?? true);
      }
      this.update();
    })();
  }
}
