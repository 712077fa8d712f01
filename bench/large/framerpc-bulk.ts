// framerpc peer of the large section: BulkService (proto/bench/bulk.proto) served with addService, one channel.
// Forked as a child (require.main), this module runs the server; imported, it provides the client.
import { RpcServer, createChannel, createClient } from '../../src';
import { BulkServiceDefinition, type Blob } from '../../generated/bench/bulk';
import { serveInChild, type ChildServer } from '../child/serve-in-child';
import { LARGE_CALL_TIMEOUT_MS, LARGE_MESSAGE_LIMIT_BYTES, type LargeEchoClient, type LargePeerFactory } from './large-peer';

// Only the message limits are raised; every other option (maxOutboundBytes, flow control) is the default.
const LIMITS = { maxFrameBytes: LARGE_MESSAGE_LIMIT_BYTES, maxRequestBytes: LARGE_MESSAGE_LIMIT_BYTES, maxResponseBytes: LARGE_MESSAGE_LIMIT_BYTES };

/** Starts the framerpc bulk echo server on 127.0.0.1 (port 0). */
export async function startFramerpcBulkServer(): Promise<ChildServer> {
  const server = new RpcServer({ ...LIMITS, heartbeatIntervalMs: 0 });
  server.addService(BulkServiceDefinition, {
    echo: (blob) => blob,
    async *echoStream(blobs) {
      for await (const blob of blobs) yield blob;
    },
  });
  await server.listen(0);
  return { port: server.port, connections: () => server.transport.connections.size, close: () => server.close(1000) };
}

/** The framerpc rows: one channel (one connection), typed calls. */
export const framerpcBulkPeer: LargePeerFactory = {
  name: 'framerpc',
  serverModule: 'large/framerpc-bulk',
  async connect(port: number): Promise<LargeEchoClient> {
    const channel = await createChannel({ port, ...LIMITS, heartbeatIntervalMs: 0 }).connect();
    const bulk = createClient(BulkServiceDefinition, channel, { timeoutMs: LARGE_CALL_TIMEOUT_MS });
    return {
      echo: async (data) => (await bulk.echo({ data })).data,
      async *echoStream(requests) {
        for await (const blob of bulk.echoStream(blobsOf(requests))) yield blob.data;
      },
      close: async () => channel.close(),
    };
  },
};

async function* blobsOf(buffers: AsyncIterable<Buffer>): AsyncIterable<Blob> {
  for await (const data of buffers) yield { data };
}

if (require.main === module) serveInChild(startFramerpcBulkServer);
