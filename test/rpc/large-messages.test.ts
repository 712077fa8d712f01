// Real message sizes under byte-based flow control: large requests and replies, many at once, both ways.
import { Status, type RpcError } from '../../src';
import type { Payload } from '../../generated/test/testing';
import { startHarness, type Harness } from './harness';

const MIB = 1024 * 1024;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('large unary messages', () => {
  test('a 10 MiB request and reply, with only the three message limits raised to 16 MiB on both sides', async () => {
    const limits = { maxFrameBytes: 16 * MIB, maxRequestBytes: 16 * MIB, maxResponseBytes: 16 * MIB };
    h = await startHarness({}, { server: limits, channel: limits });
    const body = Buffer.alloc(10 * MIB, 7);
    body[12345] = 1;
    const reply = await h.client.unary({ body, seq: 1 });
    expect(reply.seq).toBe(1);
    expect(Buffer.compare(reply.body, body)).toBe(0);
  });

  test('100 concurrent calls with 314159-byte replies: all OK on one connection', async () => {
    const big = Buffer.alloc(314_159, 3);
    h = await startHarness({
      async unary(request: Payload): Promise<Payload> {
        return { body: big, seq: request.seq };
      },
    });
    const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => h!.client.unary({ body: Buffer.from('tiny'), seq: i })));
    expect(replies.map((r) => r.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(replies.every((r) => r.body.length === big.length)).toBe(true);
  });

  test('64 concurrent 272 KB requests started in one synchronous loop: all OK', async () => {
    h = await startHarness();
    const calls: Promise<Payload>[] = [];
    for (let i = 0; i < 64; i++) calls.push(h.client.unary({ body: Buffer.alloc(272_000, i), seq: i }));
    const replies = await Promise.all(calls);
    expect(replies.map((r) => r.seq)).toEqual(Array.from({ length: 64 }, (_, i) => i));
    expect(replies.every((r, i) => r.body.length === 272_000 && r.body[271_999] === i)).toBe(true);
  });

  test('a request over the server limit fails RESOURCE_EXHAUSTED as its fragments arrive, and the connection carries on', async () => {
    h = await startHarness({}, { server: { maxRequestBytes: 1 * MIB }, channel: { maxRequestBytes: 8 * MIB } });
    const error = await h.client.unary({ body: Buffer.alloc(3 * MIB), seq: 1 }).then(
      () => undefined,
      (e: RpcError) => e,
    );
    expect(error?.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(error?.message).toMatch(/exceeds maxRequestBytes \(1048576\)/);
    expect((await h.client.unary({ body: Buffer.from('after'), seq: 2 })).seq).toBe(2);
  });
});

describe('large streams', () => {
  test('one bidi call with 40 x 300000 B each way completes (no deadlock between two reading peers)', async () => {
    h = await startHarness();
    const started = Date.now();
    const requests = (async function* () {
      for (let i = 0; i < 40; i++) yield { body: Buffer.alloc(300_000, i), seq: i };
    })();
    let count = 0;
    for await (const reply of h.client.bidi(requests)) {
      expect(reply.seq).toBe(count);
      expect(reply.body.length).toBe(300_000);
      count++;
    }
    expect(count).toBe(40);
    // The bound for this shape on this kind of machine; the deadlock it replaces took 20 s.
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('while one call moves 64 MiB in 1 MiB messages, small unary calls on the same connection keep going', async () => {
    h = await startHarness();
    const client = h.client;
    let bulkDone = false;
    const bulk = (async () => {
      const requests = (async function* () {
        for (let i = 0; i < 64; i++) yield { body: Buffer.alloc(MIB, i), seq: i };
      })();
      let echoed = 0;
      for await (const reply of client.bidi(requests)) echoed += reply.body.length;
      bulkDone = true;
      return echoed;
    })();
    const latencies: number[] = [];
    let seq = 0;
    while (!bulkDone && seq < 5000) {
      const before = performance.now();
      await client.unary({ body: Buffer.alloc(64), seq: ++seq });
      latencies.push(performance.now() - before);
    }
    expect(await bulk).toBe(64 * MIB);
    expect(latencies.length).toBeGreaterThan(10);
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.floor(latencies.length * 0.99)];
    // Client, server and the 1 MiB copies of both share this process's one event loop here (and CI runs
    // other suites beside it), so the bound only catches head-of-line blocking: small calls kept going
    // all through the transfer instead of waiting for it. The 20 ms p99 target, with the peers in their
    // own processes, is measured by `npm run bench -- large`.
    expect(p99).toBeLessThan(250);
  });
});
