// gRPC peer: @grpc/grpc-js unary EchoService.Echo from proto/echo/echo.proto, insecure, 127.0.0.1.
// Forked as a child (require.main), this module runs the server; imported, it provides the client.
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { serveInChild, type ChildServer } from '../child/serve-in-child';
import { REPO_ROOT } from '../paths';
import type { RpcEchoClient, RpcPeerFactory } from './rpc-peer';

const PROTO_PATH = path.join(REPO_ROOT, 'proto/echo/echo.proto');
const CONNECT_TIMEOUT_MS = 5000;

interface EchoRequest {
  text: string;
}
interface EchoReply {
  text: string;
  servedBy: number;
}

function loadEchoService(): grpc.ServiceClientConstructor {
  const definition = protoLoader.loadSync(PROTO_PATH, { keepCase: false, longs: Number, defaults: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as { echo: { v1: { EchoService: grpc.ServiceClientConstructor } } };
  return loaded.echo.v1.EchoService;
}

/** Starts the gRPC echo server on 127.0.0.1 (port 0). */
export async function startGrpcEchoServer(): Promise<ChildServer> {
  const EchoService = loadEchoService();
  const server = new grpc.Server();
  server.addService(EchoService.service, {
    Echo(call: grpc.ServerUnaryCall<EchoRequest, EchoReply>, callback: grpc.sendUnaryData<EchoReply>) {
      callback(null, { text: call.request.text, servedBy: 1 });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  return {
    port,
    connections: () => 0,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

/** The gRPC row of the rpc section: one channel, unary calls. */
export const grpcEchoPeer: RpcPeerFactory = {
  name: 'gRPC (grpc-js)',
  serverModule: 'rpc/grpc-echo',
  async connect(port: number): Promise<RpcEchoClient> {
    const EchoService = loadEchoService();
    const client = new EchoService(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    await new Promise<void>((resolve, reject) => {
      client.waitForReady(Date.now() + CONNECT_TIMEOUT_MS, (error) => (error ? reject(error) : resolve()));
    });
    const echo = client.Echo.bind(client) as (request: EchoRequest, callback: (error: grpc.ServiceError | null, reply: EchoReply) => void) => void;
    return {
      echo: (text) => new Promise((resolve, reject) => echo({ text }, (error, reply) => (error ? reject(error) : resolve(reply.text)))),
      close: async () => client.close(),
    };
  },
};

if (require.main === module) serveInChild(startGrpcEchoServer);
