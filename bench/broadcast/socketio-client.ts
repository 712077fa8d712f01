// Client of the socket.io broadcast server: socket.io-client as users use it, websocket transport only.
// forceNew: without it every io() to the same URL would share one Manager, that is one connection.
import { io } from 'socket.io-client';
import type { BroadcastClient, DeliveryStats } from './delivery-stats';
import { nowMicros, readStampOfText } from './payload';

const CONNECT_TIMEOUT_MS = 20_000;

/** Opens one socket.io client; resolves once it is connected. */
export function openSocketIoClient(port: number, stats: DeliveryStats, onClosed: () => void): Promise<BroadcastClient> {
  const socket = io(`http://127.0.0.1:${port}`, { transports: ['websocket'], forceNew: true, reconnection: false, timeout: CONNECT_TIMEOUT_MS });
  let closing = false;
  socket.on('msg', (text: string) => {
    stats.now = nowMicros();
    stats.record(readStampOfText(text));
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      socket.off('connect_error');
      socket.on('disconnect', () => {
        if (!closing) onClosed();
      });
      resolve({
        post: (text: string) => {
          socket.emit('post', text);
        },
        close: () => {
          closing = true;
          socket.disconnect();
        },
      });
    });
    socket.once('connect_error', (error: Error) => {
      socket.disconnect();
      reject(error);
    });
  });
}
