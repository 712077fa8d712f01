// Two framerpc peers both sending as fast as flow control lets them: no close, no stall, memory bounded.
import type { Payload } from '../../generated/test/testing';
import { startHarness, type Harness } from './harness';

const MIB = 1024 * 1024;
const SECONDS = 10;
const STREAMS = 8;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

test(`8 bidi streams, each side writing 64 KiB messages as fast as it may for ${SECONDS} s: no close, no stall, RSS growth under 64 MiB a side`, async () => {
  const chunk = Buffer.alloc(64 * 1024, 5);
  const moved = { toServer: 0, toClient: 0 };
  const stopAt = Date.now() + SECONDS * 1000;
  h = await startHarness({
    async *bidi(requests: AsyncIterable<Payload>): AsyncIterable<Payload> {
      // Read in the background and write independently: both directions at full speed on every stream.
      let ended = false;
      const reading = (async () => {
        for await (const r of requests) moved.toServer += r.body.length;
        ended = true;
      })();
      while (!ended && Date.now() < stopAt) yield { body: chunk, seq: 0 };
      await reading;
    },
  });
  const client = h.client;
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const progress: number[] = [];
  let last = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const total = moved.toServer + moved.toClient;
    progress.push(total - last);
    last = total;
  }, 500);
  try {
    await Promise.all(
      Array.from({ length: STREAMS }, async () => {
        const requests = (async function* () {
          while (Date.now() < stopAt) yield { body: chunk, seq: 1 };
        })();
        for await (const reply of client.bidi(requests)) moved.toClient += reply.body.length;
      }),
    );
  } finally {
    clearInterval(sampler);
  }
  expect(h.channel.state).toBe('open');
  expect(h.server.transport.connections.size).toBe(1);
  // Lots moved both ways, and every half second something moved (no stall).
  expect(moved.toServer).toBeGreaterThan(64 * MIB);
  expect(moved.toClient).toBeGreaterThan(64 * MIB);
  // The sampler may fire late on a loaded machine (fewer samples), never early: a stall still shows as a sample with 0 bytes.
  expect(progress.length).toBeGreaterThanOrEqual(SECONDS);
  expect(progress.slice(0, -1).every((bytes) => bytes > 0)).toBe(true);
  // Both peers live in this process (garbage not yet collected included): together under twice the per-side bound.
  expect(peakRss - rssBefore).toBeLessThan(2 * 64 * MIB);
}, 30_000);
