// Many calls on one connection: each answer reaches its own caller, whatever order the server answers in.
import { Status, type RpcError } from '../../src';
import { deferred, startHarness, type Harness } from '../rpc/harness';
import type { Delay, Payload } from '../../generated/test/testing';

describe('multiplexing many calls on one connection', () => {
  let h: Harness;
  afterEach(() => h.close());

  test('calls answered out of order (handlers with different delays) each get their own answer', async () => {
    h = await startHarness();
    const count = 40;
    const finished: number[] = [];
    // Later calls sleep less, so the server answers roughly in reverse order.
    const calls = Array.from({ length: count }, (_, i) =>
      h.client.sleep({ ms: (count - i) * 3, text: `call-${i}` }).then((reply: Delay) => {
        finished.push(i);
        return reply;
      }),
    );
    const replies = await Promise.all(calls);
    replies.forEach((reply, i) => expect(reply).toEqual({ ms: (count - i) * 3, text: `call-${i}` }));
    expect(finished).not.toEqual([...finished].sort((a, b) => a - b));
    expect(finished[0]).toBeGreaterThan(count / 2);
    expect(h.server.transport.connections.size).toBe(1);
  });

  test('the four call kinds at once on one connection, interleaved', async () => {
    h = await startHarness();
    async function* requests(n: number): AsyncIterable<Payload> {
      for (let i = 0; i < n; i++) yield { body: Buffer.from([i & 0xff]), seq: i };
    }
    const collect = async (stream: AsyncIterable<Payload>): Promise<number[]> => {
      const seqs: number[] = [];
      for await (const m of stream) seqs.push(m.seq);
      return seqs;
    };
    const [streamed, sum, echoed, ...unaries] = await Promise.all([
      collect(h.client.serverStream({ body: Buffer.from('s'), seq: 150 })),
      h.client.clientStream(requests(150)),
      collect(h.client.bidi(requests(150))),
      ...Array.from({ length: 50 }, (_, i) => h.client.unary({ body: Buffer.from(`u${i}`), seq: i })),
    ]);
    const range = Array.from({ length: 150 }, (_, i) => i);
    expect(streamed).toEqual(range);
    expect(sum).toEqual({ total: (149 * 150) / 2, count: 150 });
    expect(echoed).toEqual(range);
    (unaries as Payload[]).forEach((reply, i) => expect(reply).toEqual({ body: Buffer.from(`u${i}`), seq: i }));
    expect(h.server.transport.connections.size).toBe(1);
  });

  test('a failing call does not disturb the calls around it', async () => {
    const release = deferred();
    h = await startHarness({
      async sleep(request) {
        await release.promise;
        return request;
      },
    });
    const slow = Array.from({ length: 5 }, (_, i) => h.client.sleep({ ms: 0, text: `${i}` }));
    const bad = h.client.unary({ body: Buffer.alloc(10), seq: 1 }, { timeoutMs: 1, metadata: { x: 'y' } }).catch((e: RpcError) => e);
    release.resolve();
    expect((await Promise.all(slow)).map((r) => r.text)).toEqual(['0', '1', '2', '3', '4']);
    const outcome = await bad;
    // Either the tiny deadline won or the echo did; both are answers to that call alone.
    if ('code' in outcome) expect((outcome as RpcError).code).toBe(Status.DEADLINE_EXCEEDED);
    else expect((outcome as Payload).seq).toBe(1);
  });
});
