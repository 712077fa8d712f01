// A child process for the two-process flood test: a TestService server whose bidi method reads and writes
// 64 KiB messages as fast as flow control lets it, reporting its port and then its peak RSS growth over IPC.
import { RpcServer } from '../../src';
import { TestServiceDefinition, type Payload } from '../../generated/test/testing';

const chunk = Buffer.alloc(64 * 1024, 7);

async function main(): Promise<void> {
  const server = new RpcServer({ heartbeatIntervalMs: 0 });
  server.addService(
    TestServiceDefinition,
    {
      async *bidi(requests: AsyncIterable<Payload>): AsyncIterable<Payload> {
        let ended = false;
        const reading = (async () => {
          for await (const request of requests) void request;
          ended = true;
        })();
        while (!ended) yield { body: chunk, seq: 0 };
        await reading;
      },
    },
    { partial: true },
  );
  const { port } = await server.listen(0);
  // The baseline is the listening server, as the client's is the connected channel: growth during the flood.
  (globalThis as { gc?: () => void }).gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  process.send?.({ port });
  process.on('message', (message: { type: string }) => {
    if (message.type !== 'report') return;
    clearInterval(sampler);
    process.send?.({ rssGrowth: peakRss - rssBefore });
    void server.close(0).finally(() => process.exit(0));
  });
}

void main();
