// Shared pieces of the transport integration tests: an echo server that records why connections
// closed, a well-behaved client check, and small event helpers.
import { EventEmitter, once } from 'node:events';
import { FrameClient, FrameKind, FrameServer, type CloseInfo, type FrameClientOptions, type FrameConnection, type FrameServerOptions, type RejectedConnection } from '../../../src/transport';

/** An echo server plus what it saw: every server-side close and every rejected connection. */
export interface EchoServer {
  readonly server: FrameServer;
  readonly port: number;
  readonly connections: FrameConnection[];
  readonly closes: CloseInfo[];
  readonly rejected: RejectedConnection[];
  /** Resolves with the next server-side connection close (or one already seen but not yet taken). */
  nextClose(): Promise<CloseInfo>;
  /** Resolves with the next rejected connection (or one already seen but not yet taken). */
  nextRejected(): Promise<RejectedConnection>;
  /** Resolves with the next connection that completes its handshake. */
  nextConnection(): Promise<FrameConnection>;
}

/** Starts a FrameServer on 127.0.0.1:`port` (default 0) that echoes every application frame back on the same stream. */
export async function startEchoServer(options: FrameServerOptions = {}, listenPort = 0): Promise<EchoServer> {
  const server = new FrameServer(options);
  const connections: FrameConnection[] = [];
  const closes: CloseInfo[] = [];
  const rejected: RejectedConnection[] = [];
  let closesTaken = 0;
  let rejectedTaken = 0;
  let connectionsTaken = 0;
  const seen = new EventEmitter();
  server.on('connection', (connection) => {
    connections.push(connection);
    connection.once('close', (info) => {
      closes.push(info);
      seen.emit('close');
    });
    connection.start({ onFrame: (kind, _flags, streamId, payload) => connection.send(kind, 0, streamId, payload) });
  });
  server.on('rejected', (info) => rejected.push(info));
  await server.listen(listenPort);
  const port = server.address().port;
  const take = async <T>(list: T[], taken: () => number, advance: () => void, event: 'close' | 'rejected' | 'connection'): Promise<T> => {
    while (list.length <= taken()) await once(event === 'close' ? seen : server, event);
    const item = list[taken()];
    advance();
    return item;
  };
  return {
    server,
    port,
    connections,
    closes,
    rejected,
    nextClose: () =>
      take(
        closes,
        () => closesTaken,
        () => closesTaken++,
        'close',
      ),
    nextRejected: () =>
      take(
        rejected,
        () => rejectedTaken,
        () => rejectedTaken++,
        'rejected',
      ),
    nextConnection: () =>
      take(
        connections,
        () => connectionsTaken,
        () => connectionsTaken++,
        'connection',
      ),
  };
}

/** Resolves with the next `count` application frames' payloads (copied) received on `connection`. */
export function collect(connection: FrameConnection, count: number): Promise<Buffer[]> {
  return new Promise((resolve) => {
    const frames: Buffer[] = [];
    connection.start({
      onFrame: (_kind, _flags, _streamId, payload) => {
        frames.push(Buffer.from(payload));
        if (frames.length === count) resolve(frames);
      },
    });
  });
}

/**
 * Connects a well-behaved FrameClient, checks that it gets `count` frames echoed back intact,
 * and closes it: proof that the server survived whatever the test did before.
 */
export async function expectHealthyEcho(port: number, options: Partial<FrameClientOptions> = {}, count = 20): Promise<void> {
  const client = new FrameClient({ port, reconnect: false, ...options });
  try {
    const connection = await client.connect();
    const sent = Array.from({ length: count }, (_, i) => Buffer.from(`healthy ${i} `.repeat(1 + (i % 7))));
    const received = collect(connection, count);
    sent.forEach((payload, i) => connection.send(FrameKind.DATA, 0, i + 1, payload));
    expect((await received).map((b) => b.toString())).toEqual(sent.map((b) => b.toString()));
  } finally {
    await closeClient(client);
  }
}

/** Closes a client and waits until its connection (if any) has fully closed. */
export async function closeClient(client: FrameClient): Promise<void> {
  const connection = client.connection;
  const closed = connection && connection.state !== 'closed' ? once(connection, 'close') : undefined;
  client.close();
  await closed;
}

/** Resolves with the first `state` event equal to `wanted`. */
export function waitForState(client: FrameClient, wanted: string): Promise<void> {
  return new Promise((resolve) => {
    if (client.state === wanted) return resolve();
    const onState = (state: string): void => {
      if (state === wanted) {
        client.off('state', onState);
        resolve();
      }
    };
    client.on('state', onState);
  });
}
