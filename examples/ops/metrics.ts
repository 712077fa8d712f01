// README "Operations: metrics": prom-client metrics of a server, served on /metrics.
import { createServer, type Server } from 'node:http';
import { Registry } from 'prom-client';
import { RpcServer, instrumentServer, prometheusMetrics } from '../../src';
import { EchoHandler } from '../echo/echo-handler';

export async function metricsExample(): Promise<{ server: RpcServer; http: Server }> {
  const registry = new Registry(); // or leave it out to use prom-client's global register
  const server = new RpcServer();
  server.add(EchoHandler);
  instrumentServer(server, prometheusMetrics({ registry })); // pass { pushHub } to count pushes too

  const http = createServer(async (request, response) => {
    if (request.url !== '/metrics') return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
  });
  await server.listen(0);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { server, http };
}
