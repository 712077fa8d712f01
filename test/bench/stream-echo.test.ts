// The large bench's bidi cell: counts echoes, bounds the stream, reports a failing stream.
import type { LargeEchoClient } from '../../bench/large/large-peer';
import { runStreamEcho } from '../../bench/large/stream-echo';
import { RpcError, Status } from '../../src';

const BOUNDS = { messageBytes: 1024, maxMessages: 8, sendForMs: 5000, deadlineMs: 5000 };

/** An in-process client whose stream echoes every request, failing after `failAfter` echoes if given. */
function echoingClient(failAfter = Infinity): LargeEchoClient {
  return {
    echo: async (data) => data,
    async *echoStream(requests) {
      let echoed = 0;
      for await (const data of requests) {
        if (echoed === failAfter) throw new RpcError(Status.UNAVAILABLE, 'connection closed');
        echoed++;
        yield Buffer.from(data);
      }
    },
    close: async () => undefined,
  };
}

describe('runStreamEcho', () => {
  it('sends up to maxMessages and counts every echo', async () => {
    const result = await runStreamEcho(echoingClient(), BOUNDS);
    expect(result.sentMessages).toBe(8);
    expect(result.echoedMessages).toBe(8);
    expect(result.failures.count).toBe(0);
    expect(result.mibPerSecond).toBeGreaterThan(0);
  });

  it('reports a stream that fails part-way with the status and what was echoed before', async () => {
    const result = await runStreamEcho(echoingClient(3), BOUNDS);
    expect(result.echoedMessages).toBe(3);
    expect(result.failures.count).toBe(1);
    expect(result.failures.first).toBe('UNAVAILABLE: connection closed');
  });

  it('fails a stream whose echoes come back the wrong size', async () => {
    const client: LargeEchoClient = {
      ...echoingClient(),
      async *echoStream(requests) {
        for await (const data of requests) yield data.subarray(1);
      },
    };
    const result = await runStreamEcho(client, BOUNDS);
    expect(result.echoedMessages).toBe(0);
    expect(result.failures.first).toBe('echo of 1023 bytes, expected 1024');
  });
});
