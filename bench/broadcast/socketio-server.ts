// socket.io broadcast server (forked child): websocket transport only; every 'post' is re-emitted to all with io.emit.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { serveBroadcast, type BroadcastServer } from './server-child';

async function startSocketIoBroadcast(): Promise<BroadcastServer> {
  const httpServer = http.createServer();
  const io = new Server(httpServer, { transports: ['websocket'], serveClient: false });
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
    close: () => new Promise((resolve) => io.close(() => resolve())),
  };
}

serveBroadcast(startSocketIoBroadcast);
