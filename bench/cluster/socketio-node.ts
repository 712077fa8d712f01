// One socket.io node of the cluster section (forked child): the broadcast server of bench/broadcast with
// @socket.io/redis-adapter on the same Redis, so io.emit reaches the clients of every node.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import { Server } from 'socket.io';
import { numberArg, stringArg } from '../child/args';
import { serveBroadcast, type BroadcastServer } from '../broadcast/server-child';

async function startSocketIoNode(): Promise<BroadcastServer> {
  const publisher = new Redis({ host: '127.0.0.1', port: numberArg('redisPort', 6379) });
  const subscriber = publisher.duplicate();
  for (const client of [publisher, subscriber]) client.on('error', () => {});
  const httpServer = http.createServer();
  const io = new Server(httpServer, { transports: ['websocket'], serveClient: false, adapter: createAdapter(publisher, subscriber, { key: stringArg('prefix') ?? 'bench-sio' }) });
  let received = 0;
  io.on('connection', (socket) => {
    socket.on('post', (text: string) => {
      received++;
      io.emit('msg', text);
    });
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen({ port: 0, host: '127.0.0.1', backlog: 2048 }, resolve);
  });
  return {
    port: (httpServer.address() as AddressInfo).port,
    connections: () => io.engine.clientsCount,
    counters: () => ({ received, dropped: undefined }),
    close: () =>
      new Promise((resolve) =>
        io.close(() => {
          publisher.disconnect();
          subscriber.disconnect();
          resolve();
        }),
      ),
  };
}

serveBroadcast(startSocketIoNode);
