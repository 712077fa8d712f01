// One of two server processes killed mid-load (SIGKILL, no GOAWAY): what is retried, what fails, what ran.
import { WorkServiceDefinition } from '../../generated/test/balancing';
import { BalancedChannel, Status, createClient, type RpcError } from '../../src';
import { endpointKey } from '../../src/client/balancer/endpoint';
import { startPool, waitUntil, type PoolUnderTest } from './work-pool';

describe('a server process killed mid-load', () => {
  let under: PoolUnderTest;
  let chargeUnder: BalancedChannel | undefined;
  beforeAll(async () => {
    under = await startPool(2);
  });
  afterAll(async () => {
    chargeUnder?.close();
    await under.close();
  });

  it('idempotent calls are retried and succeed; non-idempotent ones in flight on it fail UNAVAILABLE, none runs twice', async () => {
    const { pool, channel, client, runs } = under;
    // A second channel for the non-idempotent calls, so its victim-side calls in flight can be counted.
    chargeUnder = new BalancedChannel({
      resolver: async () => pool.endpoints(),
      policy: 'round_robin',
      healthCheck: true,
      reconnect: { initialDelayMs: 10, maxDelayMs: 100, multiplier: 2, jitter: 0.2 },
      retry: { initialBackoffMs: 10, maxBackoffMs: 50 },
    });
    const charges = createClient(WorkServiceDefinition, chargeUnder);
    await chargeUnder.connect();
    await waitUntil(() => [channel, chargeUnder!].every((c) => c.endpointStates().filter((e) => e.state === 'ready').length === 2), 'both workers are ready on both channels');
    const victim = pool.workers[0];
    const victimKey = endpointKey(victim.endpoint);
    let killed = false;
    let afterKill = 0;
    let sent = 0;
    const putFailures: RpcError[] = [];
    const chargeFailures: { key: string; error: RpcError }[] = [];
    const chargeSuccesses: string[] = [];
    const running = () => sent < 4000 && afterKill < 60;
    const putters = Array.from({ length: 4 }, async (_, caller) => {
      while (running()) {
        await client.put({ key: `p${caller}-${sent++}`, ms: 20 }).catch((error: RpcError) => putFailures.push(error));
        if (killed) afterKill++;
      }
    });
    const chargers = Array.from({ length: 4 }, async (_, caller) => {
      while (running()) {
        const key = `c${caller}-${sent++}`;
        await charges.charge({ key, ms: 20 }).then(
          () => chargeSuccesses.push(key),
          (error: RpcError) => chargeFailures.push({ key, error }),
        );
      }
    });
    // Kill it while calls of both kinds are in flight there (each channel's health Watch is the other call).
    const inFlightOnVictim = (on: BalancedChannel): number => on.endpointStates().find((e) => e.endpoint === victimKey)?.callsInFlight ?? 0;
    await waitUntil(() => inFlightOnVictim(chargeUnder!) >= 2 && inFlightOnVictim(channel) >= 2, 'calls of both kinds are in flight on the victim');
    process.kill(victim.pid, 'SIGKILL');
    killed = true;
    await Promise.all([...putters, ...chargers]);

    expect(putFailures.map((f) => f.message)).toEqual([]);
    expect(channel.retry!.stats.retries).toBeGreaterThanOrEqual(1);
    expect(afterKill).toBeGreaterThanOrEqual(60);
    expect(chargeFailures.length).toBeGreaterThanOrEqual(1);
    expect(chargeFailures.filter((f) => f.error.code !== Status.UNAVAILABLE).map((f) => f.error.message)).toEqual([]);
    // None ran twice; each that succeeded ran exactly once (the survivor reports every run it makes).
    expect([...runs.entries()].filter(([, count]) => count > 1)).toEqual([]);
    expect(chargeSuccesses.filter((key) => runs.get(`charge ${key}`) !== 1)).toEqual([]);
    // Out of rotation (transient_failure), or already gone once the channel re-resolved.
    expect(chargeUnder.endpointStates().filter((e) => e.endpoint === victimKey && e.state === 'ready')).toEqual([]);
  });
});
