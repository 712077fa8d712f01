// gRPC peer of the large section: @grpc/grpc-js BulkService from proto/bench/bulk.proto, insecure, one channel.
// Forked as a child (require.main), this module runs the server; imported, it provides the client.
import { once } from 'node:events';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { serveInChild, type ChildServer } from '../child/serve-in-child';
import { REPO_ROOT } from '../paths';
import { LARGE_CALL_TIMEOUT_MS, LARGE_MESSAGE_LIMIT_BYTES, type LargeEchoClient, type LargePeerFactory } from './large-peer';

const PROTO_PATH = path.join(REPO_ROOT, 'proto/bench/bulk.proto');
const CONNECT_TIMEOUT_MS = 5000;

// grpc-js refuses received messages over 4 MiB by default; both sides get the section's limit each way.
const LIMITS: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': LARGE_MESSAGE_LIMIT_BYTES,
  'grpc.max_send_message_length': LARGE_MESSAGE_LIMIT_BYTES,
};

interface Blob {
  data: Buffer;
}

type EchoUnary = (request: Blob, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, reply: Blob) => void) => void;
type EchoStream = (options: grpc.CallOptions) => grpc.ClientDuplexStream<Blob, Blob>;

function loadBulkService(): grpc.ServiceClientConstructor {
  const definition = protoLoader.loadSync(PROTO_PATH, { keepCase: false, longs: Number, defaults: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as { bench: { v1: { BulkService: grpc.ServiceClientConstructor } } };
  return loaded.bench.v1.BulkService;
}

/** Starts the gRPC bulk echo server on 127.0.0.1 (port 0). */
export async function startGrpcBulkServer(): Promise<ChildServer> {
  const BulkService = loadBulkService();
  const server = new grpc.Server(LIMITS);
  server.addService(BulkService.service, {
    Echo(call: grpc.ServerUnaryCall<Blob, Blob>, callback: grpc.sendUnaryData<Blob>) {
      callback(null, call.request);
    },
    // Echo with backpressure: stop reading while the response side is above its high-water mark.
    EchoStream(call: grpc.ServerDuplexStream<Blob, Blob>) {
      call.on('data', (blob: Blob) => {
        if (!call.write(blob)) {
          call.pause();
          call.once('drain', () => call.resume());
        }
      });
      call.on('end', () => call.end());
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

/** The gRPC rows: one client (one channel), unary calls and a duplex stream. */
export const grpcBulkPeer: LargePeerFactory = {
  name: 'gRPC (grpc-js)',
  serverModule: 'large/grpc-bulk',
  async connect(port: number): Promise<LargeEchoClient> {
    const BulkService = loadBulkService();
    const client = new BulkService(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), LIMITS);
    await new Promise<void>((resolve, reject) => {
      client.waitForReady(Date.now() + CONNECT_TIMEOUT_MS, (error) => (error ? reject(error) : resolve()));
    });
    const echo = client.Echo.bind(client) as EchoUnary;
    const echoStream = client.EchoStream.bind(client) as EchoStream;
    const deadline = (): grpc.CallOptions => ({ deadline: Date.now() + LARGE_CALL_TIMEOUT_MS });
    return {
      echo: (data) => new Promise((resolve, reject) => echo({ data }, deadline(), (error, reply) => (error ? reject(error) : resolve(reply.data)))),
      async *echoStream(requests) {
        const call = echoStream(deadline());
        const stopped = new AbortController();
        call.once('close', () => stopped.abort());
        // Failures surface on the read side below; a failed pump only cancels the call.
        pump(requests, call, stopped.signal).catch(() => call.cancel());
        try {
          for await (const blob of call as AsyncIterable<Blob>) yield blob.data;
        } finally {
          stopped.abort();
        }
      },
      close: async () => client.close(),
    };
  },
};

/** Writes every request as the stream's backpressure allows, then half-closes. */
async function pump(requests: AsyncIterable<Buffer>, call: grpc.ClientDuplexStream<Blob, Blob>, stopped: AbortSignal): Promise<void> {
  for await (const data of requests) {
    if (stopped.aborted) return;
    if (!call.write({ data })) await once(call, 'drain', { signal: stopped });
  }
  call.end();
}

if (require.main === module) serveInChild(startGrpcBulkServer);
