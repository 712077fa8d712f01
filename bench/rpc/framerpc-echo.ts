// framerpc peer: the full framework on the path: a decorated handler built by tsyringe, a server
// interceptor, and calls carrying a deadline and metadata, over EchoService from proto/echo/echo.proto.
// Forked as a child (require.main), this module runs the server; imported, it provides the client.
import 'reflect-metadata';
import { Metadata, RpcServer, createChannel, createClient, instrumentChannel, instrumentServer, prometheusMetrics, type ServerInterceptor } from '../../src';
import { EchoServiceDefinition } from '../../generated/echo/echo';
import { EchoHandler } from '../../examples/echo/echo-handler';
import { serveInChild, type ChildServer } from '../child/serve-in-child';
import type { RpcEchoClient, RpcPeerFactory } from './rpc-peer';

const CALL_TIMEOUT_MS = 30_000;
/** Server argument of the metrics-on row: instrumentServer with the prom-client adapter. */
const WITH_METRICS = '--metrics';

/** An interceptor as a user would write one (reads metadata, passes on), so the chain is on the path. */
const passThrough: ServerInterceptor = (context, next) => {
  if (context.metadata.get('x-bench') === undefined) throw new Error('x-bench metadata missing');
  return next();
};

/** Starts the framerpc echo server (the example's DI-built EchoHandler) on 127.0.0.1 (port 0); `metrics` instruments it. */
export async function startFramerpcEchoServer(metrics = false): Promise<ChildServer> {
  const server = new RpcServer({ interceptors: [passThrough], heartbeatIntervalMs: 0 });
  server.add(EchoHandler);
  if (metrics) instrumentServer(server, prometheusMetrics({ registry: await newRegistry() }));
  await server.listen(0);
  return { port: server.port, connections: () => server.transport.connections.size, close: () => server.close(1000) };
}

/** The framerpc row of the rpc section: one channel (one connection), typed unary calls. */
export const framerpcEchoPeer: RpcPeerFactory = framerpcPeer(false);

/** The same with metrics on both sides (instrumentServer, instrumentChannel, prom-client): the cost per call of metrics. */
export const framerpcMetricsEchoPeer: RpcPeerFactory = framerpcPeer(true);

/** A prom-client registry, loaded only for the metrics row: the plain row must not even load prom-client. */
async function newRegistry(): Promise<import('prom-client').Registry> {
  const { Registry } = await import('prom-client');
  return new Registry();
}

function framerpcPeer(metrics: boolean): RpcPeerFactory {
  return {
    name: metrics ? 'framerpc+metrics' : 'framerpc',
    serverModule: 'rpc/framerpc-echo',
    serverArgs: metrics ? [WITH_METRICS] : [],
    connect: (port) => connectFramerpc(port, metrics),
  };
}

async function connectFramerpc(port: number, metrics: boolean): Promise<RpcEchoClient> {
  const channel = createChannel({ port, heartbeatIntervalMs: 0 });
  if (metrics) instrumentChannel(channel, prometheusMetrics({ registry: await newRegistry() }));
  await channel.connect();
  const echo = createClient(EchoServiceDefinition, channel);
  const options = { timeoutMs: CALL_TIMEOUT_MS, metadata: new Metadata({ 'x-bench': '1' }) };
  return {
    echo: async (text) => (await echo.echo({ text }, options)).text,
    close: async () => channel.close(),
  };
}

if (require.main === module) serveInChild(() => startFramerpcEchoServer(process.argv.includes(WITH_METRICS)));
