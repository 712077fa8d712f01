// The head-of-line cell: small unary calls, one at a time, on the connection a large bidi stream is using.
import { performance } from 'node:perf_hooks';
import { CallFailures } from '../load/call-failures';
import type { LargeEchoClient } from './large-peer';
import { runStreamEcho, type StreamBounds, type StreamResult } from './stream-echo';

/** How many small calls one loop may make: it stops at whichever bound comes first. */
export interface SmallCallBounds {
  readonly payloadBytes: number;
  readonly maxCalls: number;
  readonly maxMs: number;
}

/** What one loop of small calls measured: every completed call's latency in ms, in order. */
export interface SmallCallsResult {
  readonly latenciesMs: number[];
  readonly failures: CallFailures;
}

/** One round: the bulk stream and the small calls made while it ran, and the baseline made before it. */
export interface BesideBulkRound {
  readonly bulk: StreamResult;
  readonly beside: SmallCallsResult;
  readonly baseline: SmallCallsResult;
}

/** Exact order statistics of a set of latencies (nearest rank); NaN when there are none. */
export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * Makes small echo calls one after another (1 in flight) until `bounds` or `keepGoing` says stop. A
 * failed call is counted and ends the loop (the connection is likely gone); a wrong-size echo is a failure.
 */
export async function runSmallCalls(client: LargeEchoClient, bounds: SmallCallBounds, keepGoing: () => boolean = () => true): Promise<SmallCallsResult> {
  const request = Buffer.alloc(bounds.payloadBytes, 0x63);
  const latenciesMs: number[] = [];
  const failures = new CallFailures();
  const stopAt = performance.now() + bounds.maxMs;
  while (keepGoing() && latenciesMs.length < bounds.maxCalls && performance.now() < stopAt) {
    const started = performance.now();
    try {
      const echoed = await client.echo(request);
      if (echoed.length !== request.length) throw new Error(`echo of ${echoed.length} bytes, expected ${request.length}`);
    } catch (error) {
      failures.add(error);
      break;
    }
    latenciesMs.push(performance.now() - started);
  }
  return { latenciesMs, failures };
}

/**
 * One round on one connection: the baseline (small calls alone), then the bulk stream of `bulk` with
 * small calls made beside it for as long as it lasts (within `small`'s bounds). The calls start right
 * after the stream is opened, so they compete with it from its first message on.
 */
export async function runBesideBulkRound(client: LargeEchoClient, bulk: StreamBounds, small: SmallCallBounds, baselineBounds: SmallCallBounds): Promise<BesideBulkRound> {
  const baseline = await runSmallCalls(client, baselineBounds);
  let bulkRunning = true;
  const streamed = runStreamEcho(client, bulk).finally(() => {
    bulkRunning = false;
  });
  const beside = await runSmallCalls(client, small, () => bulkRunning);
  return { bulk: await streamed, beside, baseline };
}

/** p50, p99 and max by nearest rank over `latenciesMs` (not modified). */
export function summarizeLatencies(latenciesMs: readonly number[]): LatencySummary {
  if (latenciesMs.length === 0) return { count: 0, p50Ms: NaN, p99Ms: NaN, maxMs: NaN };
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const rank = (quantile: number): number => sorted[Math.max(1, Math.ceil(quantile * sorted.length)) - 1];
  return { count: sorted.length, p50Ms: rank(0.5), p99Ms: rank(0.99), maxMs: sorted[sorted.length - 1] };
}
