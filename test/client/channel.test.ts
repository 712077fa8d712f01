// Connection loss and reconnection: calls in flight fail at once with UNAVAILABLE; calls made while
// reconnecting fail fast, or wait (waitForReady) bounded by their deadline.
import { once } from 'node:events';
import { RpcServer, Status, createClient, type CallContext, type Channel, type ClientState, type RpcError } from '../../src';
import { Channel as ChannelClass } from '../../src/client/channel';
import type { FrameConnection } from '../../src/transport/tcp';
import { aborted, defaultHandlers, delay, deferred, recordingLogger, TestServiceDefinition, type TestClient } from '../rpc/harness';

const FAST_RECONNECT = { initialDelayMs: 10, maxDelayMs: 40, multiplier: 2, jitter: 0 };

async function waitForState(channel: Channel, state: ClientState): Promise<void> {
  while (channel.state !== state) await once(channel.transport, 'state');
}

function failure(promise: Promise<unknown>): Promise<RpcError> {
  return promise.then(
    (value) => {
      throw new Error(`expected the call to fail, it returned ${JSON.stringify(value)}`);
    },
    (error: RpcError) => error,
  );
}

describe('connection loss', () => {
  let server: RpcServer;
  let channel: Channel;
  let client: TestClient;
  let port: number;
  const started: CallContext[] = [];
  let someStarted = deferred();
  let firstStarted = deferred();
  let lastRemainingMs = -1;

  async function startServer(listenPort = 0): Promise<RpcServer> {
    const s = new RpcServer({
      logger: recordingLogger(),
      interceptors: [
        (context, next) => {
          lastRemainingMs = context.remainingMs;
          return next();
        },
      ],
    }).addService(TestServiceDefinition, {
      ...defaultHandlers(),
      async sleep(request, context) {
        started.push(context);
        firstStarted.resolve();
        if (started.length >= 3) someStarted.resolve();
        if (request.ms > 0) await new Promise((resolve) => setTimeout(resolve, request.ms));
        else await aborted(context.signal);
        return request;
      },
      async *serverStream(request, context) {
        started.push(context);
        for (let i = 0; ; i++) {
          yield { body: request.body, seq: i };
          if (i === 2) await aborted(context.signal);
        }
      },
    });
    await s.listen(listenPort);
    return s;
  }

  beforeEach(async () => {
    started.length = 0;
    someStarted = deferred();
    firstStarted = deferred();
    lastRemainingMs = -1;
    server = await startServer();
    port = server.port;
    channel = new ChannelClass({ port, reconnect: FAST_RECONNECT });
    await channel.connect();
    client = createClient(TestServiceDefinition, channel);
  });

  afterEach(async () => {
    channel.close();
    await server.close(0);
  });

  test('destroying the server sockets fails every call in flight at once with UNAVAILABLE; handlers see their signal', async () => {
    const unaries = Array.from({ length: 3 }, () => failure(client.sleep({ ms: 0, text: '' })));
    const stream = client.serverStream({ body: Buffer.from('s'), seq: 0 });
    const streamed: number[] = [];
    const threeStreamed = deferred();
    const streamDone = (async () => {
      for await (const m of stream) {
        streamed.push(m.seq);
        if (streamed.length === 3) threeStreamed.resolve();
      }
    })().then(
      () => undefined,
      (error: RpcError) => error,
    );
    await someStarted.promise;
    await threeStreamed.promise;
    const before = Date.now();
    for (const connection of server.transport.connections.values()) (connection as FrameConnection).socket.destroy();
    const errors = [...(await Promise.all(unaries)), (await streamDone) as RpcError];
    expect(Date.now() - before).toBeLessThan(1000);
    for (const error of errors) {
      expect(error.code).toBe(Status.UNAVAILABLE);
      expect(error.message).toMatch(/connection closed/);
    }
    expect(streamed).toEqual([0, 1, 2]);
    const reasons = await Promise.all(started.map((context) => aborted(context.signal)));
    for (const reason of reasons) expect(reason).toMatchObject({ code: Status.CANCELLED });
    // The server is still listening: the channel reconnects and calls work again.
    await waitForState(channel, 'open');
    expect(await client.unary({ body: Buffer.from('again'), seq: 1 })).toEqual({ body: Buffer.from('again'), seq: 1 });
  });

  test('while the server is down calls fail fast; waitForReady calls wait, bounded by their deadline, and succeed when it is back on the same port', async () => {
    const inFlight = failure(client.sleep({ ms: 0, text: '' }));
    await firstStarted.promise;
    await server.close(0);
    expect((await inFlight).code).toBe(Status.UNAVAILABLE);
    await waitForState(channel, 'reconnecting');

    const fast = Date.now();
    const error = await failure(client.unary({ body: Buffer.alloc(0), seq: 1 }));
    expect(error.code).toBe(Status.UNAVAILABLE);
    expect(error.message).toMatch(/reconnecting/);
    expect(Date.now() - fast).toBeLessThan(100);
    const streamError = await failure(
      (async () => {
        for await (const _ of client.serverStream({ body: Buffer.alloc(0), seq: 1 })) {
          /* nothing arrives */
        }
      })(),
    );
    expect(streamError.code).toBe(Status.UNAVAILABLE);

    const bounded = Date.now();
    const timedOut = await failure(client.unary({ body: Buffer.alloc(0), seq: 2 }, { waitForReady: true, timeoutMs: 150 }));
    expect(timedOut.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(Date.now() - bounded).toBeGreaterThanOrEqual(140);
    expect(Date.now() - bounded).toBeLessThan(1000);

    const controller = new AbortController();
    const cancelled = failure(client.unary({ body: Buffer.alloc(0), seq: 3 }, { waitForReady: true, signal: controller.signal }));
    controller.abort();
    expect((await cancelled).code).toBe(Status.CANCELLED);

    const waiting = client.unary({ body: Buffer.from('late'), seq: 4 }, { waitForReady: true, timeoutMs: 10_000 });
    const waitingStream = (async () => {
      const seqs: number[] = [];
      for await (const m of client.serverStream({ body: Buffer.alloc(0), seq: 0 }, { waitForReady: true })) {
        seqs.push(m.seq);
        if (seqs.length === 2) break;
      }
      return seqs;
    })();
    await delay(50); // the server stays down a while; the waiting calls must not fail meanwhile
    server = await startServer(port);
    expect(await waiting).toEqual({ body: Buffer.from('late'), seq: 4 });
    expect(await waitingStream).toEqual([0, 1]);
  });

  test('a waitForReady call spends its deadline once: time waiting for the connection counts', async () => {
    await server.close(0);
    await waitForState(channel, 'reconnecting');
    const call = client.unary({ body: Buffer.alloc(0), seq: 1 }, { waitForReady: true, timeoutMs: 500 });
    await delay(300); // the server comes back 300 ms into the call's 500 ms
    server = await startServer(port);
    await call;
    expect(lastRemainingMs).toBeGreaterThan(0);
    expect(lastRemainingMs).toBeLessThanOrEqual(200);
  });

  test('closing the channel fails calls in flight and later calls with UNAVAILABLE', async () => {
    const inFlight = failure(client.sleep({ ms: 0, text: '' }));
    await firstStarted.promise;
    channel.close();
    expect((await inFlight).code).toBe(Status.UNAVAILABLE);
    const later = await failure(client.unary({ body: Buffer.alloc(0), seq: 1 }, { waitForReady: true }));
    expect(later.code).toBe(Status.UNAVAILABLE);
    expect(later.message).toMatch(/closed/);
    await aborted(started[0].signal);
  });
});
