// framerpc echo over WebSocket for the websocket section's unary rows: the rpc section's echo server with a WebSocket port, a ws:// channel.
import 'reflect-metadata';
import { Metadata, RpcServer, createChannel, createClient, serveWebSocket, type Channel, type ServerInterceptor } from '../../src';
import { EchoServiceDefinition } from '../../generated/echo/echo';
import { EchoHandler } from '../../examples/echo/echo-handler';
import { serveInChild, type ChildServer } from '../child/serve-in-child';
import type { RpcEchoClient, RpcPeerFactory } from '../rpc/rpc-peer';

const CALL_TIMEOUT_MS = 30_000;
/** Server argument: listen on TCP instead (the TCP row of the same server code). */
const OVER_TCP = '--tcp';

/** An interceptor as a user would write one (reads metadata, passes on), as in the rpc section. */
const passThrough: ServerInterceptor = (context, next) => {
  if (context.metadata.get('x-bench') === undefined) throw new Error('x-bench metadata missing');
  return next();
};

/** The framerpc echo server (the example's DI-built EchoHandler) on a WebSocket port, or on TCP with `tcp`. */
async function startEchoServer(tcp: boolean): Promise<ChildServer> {
  const server = new RpcServer({ interceptors: [passThrough], heartbeatIntervalMs: 0 });
  server.add(EchoHandler);
  const port = tcp ? (await server.listen(0)).port : (await serveWebSocket(server).listen(0)).port;
  return { port, connections: () => server.transport.connections.size, close: () => server.close(1000) };
}

/** The same server and calls over TCP, for the row beside the WebSocket one. */
export const framerpcTcpEchoPeer: RpcPeerFactory = {
  name: 'framerpc tcp',
  serverModule: 'websocket/framerpc-ws-echo',
  serverArgs: [OVER_TCP],
  connect: (port) => connectEcho(createChannel({ port, heartbeatIntervalMs: 0 })),
};

/** The framerpc row over WebSocket: one ws:// channel, typed unary calls with a deadline and metadata. */
export const framerpcWebSocketEchoPeer: RpcPeerFactory = {
  name: 'framerpc ws',
  serverModule: 'websocket/framerpc-ws-echo',
  connect: (port) => connectEcho(createChannel(`ws://127.0.0.1:${port}/`, { heartbeatIntervalMs: 0 })),
};

async function connectEcho(channel: Channel): Promise<RpcEchoClient> {
  await channel.connect();
  const echo = createClient(EchoServiceDefinition, channel);
  const options = { timeoutMs: CALL_TIMEOUT_MS, metadata: new Metadata({ 'x-bench': '1' }) };
  return {
    echo: async (text) => (await echo.echo({ text }, options)).text,
    close: async () => channel.close(),
  };
}

if (require.main === module) serveInChild(() => startEchoServer(process.argv.includes(OVER_TCP)));
