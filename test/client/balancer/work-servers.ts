// Shared by the balancer tests: WorkService servers on 127.0.0.1:0 and a bounded wait for a condition.
import { WorkServiceDefinition } from '../../../generated/test/balancing';
import { RpcServer, addHealthService, type HealthService, type ServiceImplementation } from '../../../src';
import { workService } from '../../../bench/cluster/work-service';
import { recordingLogger } from '../../rpc/harness';

export interface WorkServer {
  readonly label: string;
  readonly server: RpcServer;
  readonly health: HealthService;
  readonly address: string;
  /** Runs by method and key. */
  readonly executions: Map<string, number>;
}

/** A WorkService server named `label` with health; Relay answers through `relay` when given. */
export async function startWorkServer(label: string, relay?: ServiceImplementation<typeof WorkServiceDefinition>['relay']): Promise<WorkServer> {
  const executions = new Map<string, number>();
  const server = new RpcServer({ logger: recordingLogger() });
  const service = workService(label, (method, key) => executions.set(`${method} ${key}`, (executions.get(`${method} ${key}`) ?? 0) + 1));
  server.addService(WorkServiceDefinition, { ...service, relay: relay ?? (() => ({ server: label, executions: 0, seq: 0 })) });
  const health = addHealthService(server);
  const { port } = await server.listen(0);
  return { label, server, health, address: `127.0.0.1:${port}`, executions };
}

/** Waits until `condition()` holds, polling; fails after `timeoutMs` naming `what`. */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A port nothing listens on (bound, then released). */
export async function deadPort(): Promise<number> {
  const server = new RpcServer();
  const { port } = await server.listen(0);
  await server.close(0);
  return port;
}
