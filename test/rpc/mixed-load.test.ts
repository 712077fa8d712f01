// 460 calls of every kind at once on one channel, with real message sizes: each ends as its case expects.
import { Status, type RpcError } from '../../src';
import type { Payload } from '../../generated/test/testing';
import { startHarness, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

type Outcome = 'OK' | 'CANCELLED' | 'DEADLINE_EXCEEDED';

function outcomeOf(promise: Promise<unknown>): Promise<Outcome | string> {
  return promise.then(
    () => 'OK',
    (error: RpcError) => (error.code === Status.CANCELLED ? 'CANCELLED' : error.code === Status.DEADLINE_EXCEEDED ? 'DEADLINE_EXCEEDED' : `${error.codeName}: ${error.message}`),
  );
}

function body(bytes: number, fill: number): Buffer {
  return Buffer.alloc(bytes, fill);
}

async function* messages(count: number, bytes: number): AsyncIterable<Payload> {
  for (let i = 0; i < count; i++) yield { body: body(bytes, i), seq: i };
}

test('460 calls at once on one channel: unary small and ~300 KB, streams of 30-60 KB messages, cancellations and deadlines', async () => {
  h = await startHarness();
  const client = h.client;
  const cases: { name: string; expected: Outcome; run: Promise<unknown> }[] = [];
  const add = (name: string, expected: Outcome, run: Promise<unknown>): void => {
    cases.push({ name, expected, run });
  };

  for (let i = 0; i < 200; i++)
    add(
      'empty unary',
      'OK',
      client.unary({ body: Buffer.alloc(0), seq: i }).then((r) => expect(r.seq).toBe(i)),
    );
  for (let i = 0; i < 50; i++) {
    add(
      '300 KB unary',
      'OK',
      client.unary({ body: body(300_000 + i, i), seq: i }).then((r) => expect(r.body.length).toBe(300_000 + i)),
    );
  }
  for (let i = 0; i < 20; i++) {
    add(
      'server stream',
      'OK',
      (async () => {
        let n = 0;
        for await (const r of client.serverStream({ body: body(30_000 + i * 1000, i), seq: 8 })) {
          expect(r.seq).toBe(n++);
        }
        expect(n).toBe(8);
      })(),
    );
  }
  for (let i = 0; i < 20; i++) {
    add(
      'client stream',
      'OK',
      client.clientStream(messages(8, 40_000 + i * 500)).then((sum) => expect(sum.count).toBe(8)),
    );
  }
  for (let i = 0; i < 20; i++) {
    add(
      'bidi',
      'OK',
      (async () => {
        let n = 0;
        for await (const r of client.bidi(messages(8, 60_000))) {
          expect(r.body.length).toBe(60_000);
          n++;
        }
        expect(n).toBe(8);
      })(),
    );
  }
  for (let i = 0; i < 50; i++) {
    const controller = new AbortController();
    const call = client.sleep({ ms: 10_000, text: 'cancel me' }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20 + i);
    add('cancelled sleep', 'CANCELLED', call);
  }
  for (let i = 0; i < 50; i++) add('sleep past its deadline', 'DEADLINE_EXCEEDED', client.sleep({ ms: 10_000, text: 'too slow' }, { timeoutMs: 50 + i }));
  for (let i = 0; i < 50; i++) {
    const controller = new AbortController();
    add(
      'bidi cancelled while streaming',
      'CANCELLED',
      (async () => {
        let n = 0;
        for await (const _ of client.bidi(messages(1000, 35_000), { signal: controller.signal })) {
          if (++n === 3) controller.abort();
        }
      })(),
    );
  }
  expect(cases).toHaveLength(460);

  const outcomes = await Promise.all(cases.map((c) => outcomeOf(c.run)));
  const unexpected = cases.map((c, i) => ({ name: c.name, expected: c.expected, got: outcomes[i] })).filter((c) => c.got !== c.expected);
  expect(unexpected).toEqual([]);
  // The connection lived through it all, and still serves.
  expect(h.channel.state).toBe('open');
  expect((await client.unary({ body: Buffer.from('after'), seq: 9 })).seq).toBe(9);
}, 30_000);
