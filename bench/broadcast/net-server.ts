// Naive node:net broadcast server (forked child): u32 BE length-prefixed frames; every frame received is
// written to every connection, one socket.write per recipient per message, with no backpressure handling.
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { FrameReader } from './frame-reader';
import { serveBroadcast, type BroadcastServer } from './server-child';

const LENGTH_BYTES = 4;

async function startNaiveBroadcast(): Promise<BroadcastServer> {
  const sockets = new Set<net.Socket>();
  let received = 0;
  const broadcast = (buffer: Buffer, start: number, end: number): void => {
    received++;
    // One copy per message (the reader's buffer is reused), then the same bytes to everyone.
    const frame = Buffer.from(buffer.subarray(start, end));
    for (const socket of sockets) socket.write(frame);
  };
  const server = net.createServer({ noDelay: true }, (socket) => {
    const reader = new FrameReader(LENGTH_BYTES);
    sockets.add(socket);
    socket.on('data', (chunk: Buffer) => reader.push(chunk, broadcast));
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', backlog: 2048 }, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => sockets.size,
    counters: () => ({ received, dropped: undefined }),
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

serveBroadcast(startNaiveBroadcast);
