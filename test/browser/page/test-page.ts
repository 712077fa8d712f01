// The page the browser tests load: framerpc's browser entry and a typed TestService client, driven through `window.framerpcTest`.
import { Metadata, RpcError, createChannel, createClient, joinRoom, subscribePush, type Channel } from '../../../src/browser';
import { TestServiceDefinition } from '../../../generated/test/testing';
import { ChatEventsDefinition } from '../../../generated/chat/chat';

const url = `ws://${(globalThis as unknown as { location: { host: string } }).location.host}/rpc`;
const channel: Channel = createChannel(url, { reconnect: { initialDelayMs: 50, maxDelayMs: 200 } });
const client = createClient(TestServiceDefinition, channel);
const pushes: string[] = [];
const states: string[] = [];
channel.on('state', (state) => states.push(state));

function errorOf(error: unknown): { code: number; message: string } {
  return error instanceof RpcError ? { code: error.code, message: error.message } : { code: -1, message: String(error) };
}

const framerpcTest = {
  async unary(seq: number, echo: string) {
    let header: string | undefined;
    let trailer: string | undefined;
    const reply = await client.unary(
      { seq },
      {
        metadata: new Metadata({ 'x-echo': echo }),
        onHeaders: (headers) => (header = String(headers.get('x-echoed'))),
        onTrailers: (trailers) => (trailer = String(trailers.get('x-trailer'))),
      },
    );
    return { seq: reply.seq, header, trailer };
  },
  async serverStream(count: number) {
    const seqs: number[] = [];
    for await (const message of client.serverStream({ seq: count })) seqs.push(message.seq);
    return seqs;
  },
  async bidi(seqs: number[]) {
    const answers: number[] = [];
    for await (const message of client.bidi(
      (async function* () {
        for (const seq of seqs) yield { seq };
      })(),
    ))
      answers.push(message.seq);
    return answers;
  },
  async bigUnary(bytes: number) {
    const body = Buffer.from(new Uint8Array(bytes).map((_, i) => i % 251)); // Buffer: the bundle's small polyfill
    const reply = await client.unary({ body, seq: 0 }, { compress: true }); // deflated here, inflated on the server (and back)
    return reply.body.length === bytes && reply.body.every((value, i) => value === i % 251);
  },
  async deadline(sleepMs: number, timeoutMs: number) {
    const started = performance.now();
    try {
      await client.sleep({ ms: sleepMs }, { timeoutMs });
      return { code: 0, ms: performance.now() - started };
    } catch (error) {
      return { ...errorOf(error), ms: performance.now() - started };
    }
  },
  async abort(sleepMs: number, abortAfterMs: number) {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), abortAfterMs);
    try {
      await client.sleep({ ms: sleepMs }, { signal: controller.signal });
      return { code: 0, message: '' };
    } catch (error) {
      return errorOf(error);
    }
  },
  async fail(text: string) {
    try {
      await client.fail({ ms: 0, text });
      return { code: 0, message: '' };
    } catch (error) {
      return errorOf(error);
    }
  },
  async join(room: string) {
    const events = subscribePush(ChatEventsDefinition, channel);
    events.messagePosted.on((message) => pushes.push(`${message.room}:${message.text}`));
    await channel.connect();
    await events.ready();
    await joinRoom(channel, room);
  },
  pushes: () => [...pushes],
  states: () => [...states],
  state: () => channel.state,
};

(globalThis as unknown as { framerpcTest: typeof framerpcTest }).framerpcTest = framerpcTest;
export type FramerpcTest = typeof framerpcTest;
