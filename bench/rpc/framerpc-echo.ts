// framerpc peer: the full framework on the path: a decorated handler built by tsyringe, a server
// interceptor, and calls carrying a deadline and metadata, over EchoService from proto/echo/echo.proto.
// Forked as a child (require.main), this module runs the server; imported, it provides the client.
import 'reflect-metadata';
import { Metadata, RpcServer, createChannel, createClient, type ServerInterceptor } from '../../src';
import { EchoServiceDefinition } from '../../generated/echo/echo';
import { EchoHandler } from '../../examples/echo/echo-handler';
import { serveInChild, type ChildServer } from '../child/serve-in-child';
import type { RpcEchoClient, RpcPeerFactory } from './rpc-peer';

const CALL_TIMEOUT_MS = 30_000;

/** An interceptor as a user would write one (reads metadata, passes on), so the chain is on the path. */
const passThrough: ServerInterceptor = (context, next) => {
  if (context.metadata.get('x-bench') === undefined) throw new Error('x-bench metadata missing');
  return next();
};

/** Starts the framerpc echo server (the example's DI-built EchoHandler) on 127.0.0.1 (port 0). */
export async function startFramerpcEchoServer(): Promise<ChildServer> {
  const server = new RpcServer({ interceptors: [passThrough], heartbeatIntervalMs: 0 });
  server.add(EchoHandler);
  await server.listen(0);
  return { port: server.port, connections: () => server.transport.connections.size, close: () => server.close(1000) };
}

/** The framerpc row of the rpc section: one channel (one connection), typed unary calls. */
export const framerpcEchoPeer: RpcPeerFactory = {
  name: 'framerpc',
  serverModule: 'rpc/framerpc-echo',
  async connect(port: number): Promise<RpcEchoClient> {
    const channel = await createChannel({ port, heartbeatIntervalMs: 0 }).connect();
    const echo = createClient(EchoServiceDefinition, channel);
    const options = { timeoutMs: CALL_TIMEOUT_MS, metadata: new Metadata({ 'x-bench': '1' }) };
    return {
      echo: async (text) => (await echo.echo({ text }, options)).text,
      close: async () => channel.close(),
    };
  },
};

if (require.main === module) serveInChild(startFramerpcEchoServer);
