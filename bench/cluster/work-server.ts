// A worker process serving WorkService (and grpc.health.v1) under serveWorker: `node work-server.js <label>`.
// With WORK_REPORT_RUNS=1 it reports each run to its parent ({ type: 'executed', method, key, server }), so the
// parent (a test) counts the runs of every process; the bench leaves it off.
import 'reflect-metadata';
import { WorkServiceDefinition } from '../../generated/test/balancing';
import { addHealthService } from '../../src/health/health-service';
import { RpcError } from '../../src/rpc/rpc-error';
import { Status } from '../../src/rpc/status';
import { RpcServer } from '../../src/server/rpc-server';
import { serveWorker } from '../../src/cluster/serve-worker';
import { workService } from './work-service';

const label = process.argv[2] ?? `worker-${process.pid}`;
const server = new RpcServer();
const report = process.env.WORK_REPORT_RUNS === '1';
const service = workService(label, report ? (method, key) => process.send?.({ type: 'executed', method, key, server: label }) : undefined);
server.addService(WorkServiceDefinition, {
  ...service,
  relay: () => {
    throw new RpcError(Status.UNIMPLEMENTED, 'relay is not served by workers');
  },
});
addHealthService(server);
serveWorker(server).catch((error: Error) => {
  console.error(`work-server ${label}: ${error.message}`);
  process.exit(1);
});
