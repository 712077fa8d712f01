// grpc.health.v1.Health served by framerpc: per-service status set by the application, Check and Watch.
import { HealthCheckResponse_ServingStatus, HealthDefinition, type HealthCheckRequest, type HealthCheckResponse } from '../../generated/grpc/health/v1/health';
import { RpcError } from '../rpc/rpc-error';
import { Status } from '../rpc/status';
import type { CallContext } from '../service/call-context';
import type { RpcServer } from '../server/rpc-server';
import type { ServiceImplementation } from '../service/handler-types';

/** The statuses an application sets: grpc's ServingStatus enum (SERVING, NOT_SERVING). */
export const ServingStatus = HealthCheckResponse_ServingStatus;
export type ServingStatus = HealthCheckResponse_ServingStatus;

/** The name of a serving status ("SERVING"), as grpc's tools print it. */
export function servingStatusName(status: ServingStatus): string {
  return HealthCheckResponse_ServingStatus[status] ?? `STATUS_${status}`;
}

type StatusListener = (status: ServingStatus) => void;

export interface HealthServiceOptions {
  /** Initial statuses by service name; "" is the server as a whole. Default `{ "": SERVING }`. */
  statuses?: Record<string, ServingStatus>;
}

/**
 * The health of a server's services, as grpc.health.v1 reports it. The application sets each status;
 * `shutdown()` (called when the server starts a graceful close) sets every one to NOT_SERVING for good and
 * ends Watch streams once they have sent it, so the graceful close is not held up by them.
 */
export class HealthService {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly listeners = new Map<string, Set<StatusListener>>();
  private readonly endListeners = new Set<() => void>();
  private down = false;

  constructor(options: HealthServiceOptions = {}) {
    for (const [service, status] of Object.entries(options.statuses ?? { '': ServingStatus.SERVING })) this.statuses.set(service, status);
  }

  /** Sets the status of `service` ("" for the whole server) and tells its watchers. Ignored after shutdown(). */
  setStatus(service: string, status: ServingStatus): void {
    if (this.down) return;
    this.update(service, status);
  }

  /** The status of `service`, or undefined when it was never set. */
  getStatus(service: string): ServingStatus | undefined {
    return this.statuses.get(service);
  }

  /** True once shutdown() ran. */
  get shuttingDown(): boolean {
    return this.down;
  }

  /** Every known service becomes NOT_SERVING, for good; Watch streams send that and end. */
  shutdown(): void {
    if (this.down) return;
    this.down = true;
    for (const service of this.statuses.keys()) this.update(service, ServingStatus.NOT_SERVING);
    for (const end of [...this.endListeners]) end();
  }

  /** The handler object to pass to `server.addService(HealthDefinition, ...)`. */
  readonly implementation: ServiceImplementation<HealthDefinition> = {
    check: (request: HealthCheckRequest): HealthCheckResponse => {
      const status = this.statuses.get(request.service);
      if (status === undefined) throw new RpcError(Status.NOT_FOUND, `no health status is set for service "${request.service}"`);
      return { status };
    },
    watch: (request: HealthCheckRequest, context: CallContext): AsyncIterable<HealthCheckResponse> => this.watch(request.service, context),
  };

  private update(service: string, status: ServingStatus): void {
    this.statuses.set(service, status);
    for (const listener of [...(this.listeners.get(service) ?? [])]) listener(status);
  }

  private async *watch(service: string, context: CallContext): AsyncIterable<HealthCheckResponse> {
    const pending: ServingStatus[] = [];
    let ended = this.down;
    let wake: (() => void) | undefined;
    const onStatus: StatusListener = (status) => {
      pending.push(status);
      wake?.();
    };
    const onEnd = (): void => {
      ended = true;
      wake?.();
    };
    const onAbort = (): void => wake?.();
    let set = this.listeners.get(service);
    if (!set) this.listeners.set(service, (set = new Set()));
    set.add(onStatus);
    this.endListeners.add(onEnd);
    context.signal.addEventListener('abort', onAbort);
    try {
      let last = this.statuses.get(service) ?? ServingStatus.SERVICE_UNKNOWN;
      yield { status: last };
      for (;;) {
        while (pending.length > 0) {
          const status = pending.shift()!;
          if (status === last) continue; // Watch reports changes only
          last = status;
          yield { status };
        }
        if (ended || context.aborted) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      set.delete(onStatus);
      if (set.size === 0) this.listeners.delete(service);
      this.endListeners.delete(onEnd);
      context.signal.removeEventListener('abort', onAbort);
    }
  }
}

/**
 * Serves grpc.health.v1.Health on `server` and reports NOT_SERVING for every service as soon as the
 * server's graceful close begins (its 'closing' event). Returns the HealthService to set statuses on.
 */
export function addHealthService(server: RpcServer, options: HealthServiceOptions = {}): HealthService {
  const health = new HealthService(options);
  server.addService(HealthDefinition, health.implementation);
  server.once('closing', () => health.shutdown());
  return health;
}
