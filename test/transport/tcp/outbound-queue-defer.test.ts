// OutboundQueue's early-flush thresholds with deferred frames (the push hub's linger): the frame count
// does not flush them, the byte threshold does; frames that are not deferred keep both thresholds.
import * as net from 'node:net';
import { OutboundQueue } from '../../../src/transport/tcp/outbound-queue';
import { countSocketWrites } from '../socket-writes';

const THRESHOLD_BYTES = 32 * 1024;
const THRESHOLD_FRAMES = 32;

interface Pair {
  readonly socket: net.Socket;
  readonly queue: OutboundQueue;
  /** Write requests the socket handed to the OS so far. */
  writes(): number;
  /** Resolves once the peer has read `bytes` bytes in total. */
  received(bytes: number): Promise<void>;
  close(): Promise<void>;
}

async function pair(): Promise<Pair> {
  let peerBytes = 0;
  let waiter: { bytes: number; resolve: () => void } | undefined;
  const server = net.createServer((peer) => {
    peer.on('data', (chunk: Buffer) => {
      peerBytes += chunk.length;
      if (waiter && peerBytes >= waiter.bytes) waiter.resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const socket = net.connect({ port: (server.address() as net.AddressInfo).port, host: '127.0.0.1' });
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const writes = countSocketWrites(socket);
  const queue = new OutboundQueue(socket, THRESHOLD_BYTES, THRESHOLD_FRAMES);
  socket.on('drain', () => queue.drained()); // as its connection does
  return {
    socket,
    queue,
    writes,
    received: (bytes) => (peerBytes >= bytes ? Promise.resolve() : new Promise((resolve) => (waiter = { bytes, resolve }))),
    async close() {
      socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let open: Pair | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

const frame = Buffer.alloc(150, 7);

describe('OutboundQueue with deferred frames', () => {
  test('100 deferred small frames wait for the caller flush: one write, every byte delivered', async () => {
    open = await pair();
    for (let i = 0; i < 100; i++) open.queue.append(frame, true);
    expect(open.writes()).toBe(0);
    expect(open.queue.queuedBytes).toBe(100 * frame.length);
    open.queue.flush();
    expect(open.writes()).toBe(1);
    await open.received(100 * frame.length);
  });

  test('deferred frames still flush early at the byte threshold', async () => {
    open = await pair();
    const flushAt = Math.ceil(THRESHOLD_BYTES / frame.length); // the frame that takes the queue past 32 KiB
    const count = flushAt + 10;
    for (let i = 0; i < count; i++) open.queue.append(frame, true);
    expect(open.writes()).toBeGreaterThanOrEqual(1);
    expect(open.queue.queuedBytes).toBe(10 * frame.length);
    open.queue.flush();
    await open.received(count * frame.length);
  });

  test('frames that are not deferred flush every 32 frames, as before', async () => {
    open = await pair();
    for (let i = 0; i < 100; i++) open.queue.append(frame);
    expect(open.queue.queuedBytes).toBe(4 * frame.length); // flushed at 32, 64 and 96 frames
    await open.received(100 * frame.length); // the rest at the end of the pass
  });
});
