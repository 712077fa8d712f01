// The large bench's head-of-line cell: small calls bounded by the stream's life, latency order statistics, the target line.
import { besideBulkTarget, type BesideBulkCell } from '../../bench/large/beside-bulk-table';
import { runBesideBulkRound, runSmallCalls, summarizeLatencies } from '../../bench/large/calls-beside-bulk';
import type { LargeEchoClient } from '../../bench/large/large-peer';
import { CallFailures } from '../../bench/load/call-failures';
import { RpcError, Status } from '../../src';

const SMALL = { payloadBytes: 64, maxCalls: 5000, maxMs: 5000 };
const STREAM = { messageBytes: 1024, maxMessages: 4, sendForMs: 5000, deadlineMs: 5000 };

/** An in-process client: unary calls echo (failing from call `failFrom` on); each stream echo waits a macrotask. */
function echoingClient(failFrom = Infinity): LargeEchoClient & { calls: number } {
  const client = {
    calls: 0,
    echo: async (data: Buffer) => {
      if (++client.calls > failFrom) throw new RpcError(Status.UNAVAILABLE, 'connection closed');
      await new Promise<void>((resolve) => setImmediate(resolve));
      return data;
    },
    async *echoStream(requests: AsyncIterable<Buffer>) {
      for await (const data of requests) {
        await new Promise<void>((resolve) => setTimeout(resolve, 5));
        yield data;
      }
    },
    close: async () => undefined,
  };
  return client;
}

function cell(peer: string, p99Ms: number, failures = new CallFailures()): BesideBulkCell {
  const summary = { count: 100, p50Ms: 1, p99Ms, maxMs: p99Ms };
  return { peer, payloadBytes: 64, bulkMiB: 64, bulkMibPerSecond: 200, rounds: 3, beside: summary, baseline: summary, failures };
}

describe('summarizeLatencies', () => {
  it('takes p50, p99 and max by nearest rank', () => {
    const latencies = Array.from({ length: 200 }, (_, i) => 200 - i); // 200..1, unsorted on purpose
    expect(summarizeLatencies(latencies)).toEqual({ count: 200, p50Ms: 100, p99Ms: 198, maxMs: 200 });
    expect(latencies[0]).toBe(200);
  });

  it('is NaN for no samples and the one value for one sample', () => {
    expect(summarizeLatencies([]).p99Ms).toBeNaN();
    expect(summarizeLatencies([7])).toEqual({ count: 1, p50Ms: 7, p99Ms: 7, maxMs: 7 });
  });
});

describe('runSmallCalls', () => {
  it('stops at maxCalls with one latency per call', async () => {
    const client = echoingClient();
    const result = await runSmallCalls(client, { ...SMALL, maxCalls: 25 });
    expect(result.latenciesMs).toHaveLength(25);
    expect(client.calls).toBe(25);
    expect(result.failures.count).toBe(0);
  });

  it('counts a failed call with its status and stops', async () => {
    const result = await runSmallCalls(echoingClient(3), SMALL);
    expect(result.latenciesMs).toHaveLength(3);
    expect(result.failures.count).toBe(1);
    expect(result.failures.first).toBe('UNAVAILABLE: connection closed');
  });
});

describe('runBesideBulkRound', () => {
  it('makes small calls only while the stream runs, after a bounded baseline', async () => {
    const client = echoingClient();
    const round = await runBesideBulkRound(client, STREAM, SMALL, { ...SMALL, maxCalls: 10 });
    expect(round.baseline.latenciesMs).toHaveLength(10);
    expect(round.bulk.echoedMessages).toBe(4);
    expect(round.bulk.failures.count).toBe(0);
    expect(round.beside.latenciesMs.length).toBeGreaterThan(0);
    expect(round.beside.latenciesMs.length).toBeLessThan(SMALL.maxCalls);
  });
});

describe('besideBulkTarget', () => {
  it('is met below 20 ms and names grpc-js p99 beside it', () => {
    expect(besideBulkTarget([cell('framerpc', 4.2), cell('gRPC (grpc-js)', 31)])).toBe('target: framerpc p99 of 64 B calls beside a 64 MiB transfer < 20 ms: 4.20 ms (grpc-js 31.0 ms) -> met');
  });

  it('is not met at 20 ms or when framerpc failed', () => {
    expect(besideBulkTarget([cell('framerpc', 20)])).toMatch(/-> NOT met$/);
    const failures = new CallFailures();
    failures.add(new Error('stalled'));
    expect(besideBulkTarget([cell('framerpc', 1, failures)])).toMatch(/-> NOT met \(framerpc failed: stalled\)$/);
  });
});
