// One worker process of the cluster example: EchoService and health on a port of its own, drained when told.
import 'reflect-metadata';
import { EchoServiceDefinition } from '../../generated/echo/echo';
import { RpcServer, addHealthService, serveWorker } from '../../src';

const server = new RpcServer();
let served = 0;
server.addService(EchoServiceDefinition, { echo: (request) => ({ text: `${request.text} from pid ${process.pid}`, servedBy: ++served }) }, { partial: true });
// Health lets balanced channels take this worker out of rotation as soon as its graceful close begins.
addHealthService(server);
serveWorker(server).catch((error: Error) => {
  console.error(`worker ${process.pid}: ${error.message}`);
  process.exit(1);
});
