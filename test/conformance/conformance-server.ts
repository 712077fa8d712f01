// The server the call vectors run against: EchoService (proto/echo/echo.proto) with the behaviour
// vectors/README.md specifies, on 127.0.0.1 port 0, configured from a vector's "server" object.
import 'reflect-metadata';
import { RpcError, RpcServer, Status, type ServiceImplementation } from '../../src';
import { EchoServiceDefinition } from '../../generated/echo/echo';
import { recordingLogger } from '../rpc/harness';
import type { ServerConfig } from './vector-format';

/** EchoService as the README describes it: a counter of replies served, numbering each reply. */
export function conformanceEchoService(): ServiceImplementation<typeof EchoServiceDefinition> {
  let served = 0;
  return {
    echo: (request) => ({ text: request.text, servedBy: ++served }),
    async *echoStream(request, context) {
      if (request.count > 1000) throw new RpcError(Status.INVALID_ARGUMENT, 'count must be at most 1000');
      for (let i = 0; i < request.count && !context.aborted; i++) yield { text: `${request.text} #${i + 1}`, servedBy: ++served };
    },
    whoAmI(_request, context) {
      const user = context.metadata.get('user');
      if (typeof user !== 'string') throw new RpcError(Status.UNAUTHENTICATED, 'send your name in the "user" metadata');
      served++;
      return { user, peer: context.peer };
    },
  };
}

/** Starts a fresh server for one vector case; resolves once it listens. */
export async function startConformanceServer(config: ServerConfig): Promise<{ server: RpcServer; port: number }> {
  const server = new RpcServer({
    logger: recordingLogger(),
    compression: config.compression ?? true,
    xorKey: config.xorKeyHex === undefined ? undefined : Buffer.from(config.xorKeyHex, 'hex'),
    maxFrameBytes: config.maxFrameBytes,
    maxRequestBytes: config.maxRequestBytes,
    handshakeTimeoutMs: config.handshakeTimeoutMs,
  });
  server.addService(EchoServiceDefinition, conformanceEchoService());
  const { port } = await server.listen(0);
  return { server, port };
}
