// One endpoint's graceful close under a stream of non-idempotent calls: calls its GOAWAY says it never ran (when
// the race makes any) are resent to the other endpoint, the rest finish there; every call completes exactly once.
import { WorkServiceDefinition } from '../../../generated/test/balancing';
import { createChannel, createClient, type RpcError } from '../../../src';
import { startWorkServer, waitUntil } from './work-servers';

it("calls running through one endpoint's graceful close each run once, on it or on the other", async () => {
  const [a, b] = await Promise.all([startWorkServer('a'), startWorkServer('b')]);
  const channel = createChannel({ endpoints: [a.address, b.address], policy: 'round_robin', reconnect: { initialDelayMs: 10, maxDelayMs: 50 } });
  try {
    await channel.connect();
    await waitUntil(() => channel.endpointStates().every((e) => e.state === 'ready'), 'both endpoints are ready');
    const client = createClient(WorkServiceDefinition, channel);
    let closed = false;
    let made = 0;
    const outcomes: string[] = [];
    // 16 callers, each call 5 ms on the server, until a has closed (bounded in count).
    const callers = Array.from({ length: 16 }, async () => {
      while (!closed && made < 5000) {
        const key = `c${made++}`;
        outcomes.push(
          await client.charge({ key, ms: 5 }).then(
            (reply) => reply.server,
            (error: RpcError) => `failed: ${error.message}`,
          ),
        );
      }
    });
    await waitUntil(() => a.executions.size >= 20, 'some calls ran on a');
    await a.server.close(5000);
    closed = true;
    await Promise.all(callers);
    expect(outcomes.filter((o) => o.startsWith('failed'))).toEqual([]);
    expect([...a.executions.values(), ...b.executions.values()].every((count) => count === 1)).toBe(true);
    expect(a.executions.size + b.executions.size).toBe(made);
    expect(new Set(outcomes)).toEqual(new Set(['a', 'b']));
  } finally {
    channel.close();
    await Promise.all([a.server.close(0), b.server.close(0)]);
  }
});
