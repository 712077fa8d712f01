// A broadcast client over WebSocket: a `ws` client adapted to a socket's face, then the raw framerpc client of the broadcast section.
import { WebSocket } from 'ws';
import { NodeWebSocketPort } from '../../src/transport/websocket/node-websocket-port';
import { WebSocketByteStream } from '../../src/transport/websocket/websocket-byte-stream';
import { openRawFramerpcClientOn } from '../broadcast/framerpc-raw-client';
import type { BroadcastClient, DeliveryStats } from '../broadcast/delivery-stats';

const OPEN_TIMEOUT_MS = 20_000;

/** Opens one WebSocket to 127.0.0.1:`port` (no permessage-deflate), resolves once subscribed. */
export async function openWebSocketFramerpcClient(port: number, stats: DeliveryStats, onClosed: () => void): Promise<BroadcastClient> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false, handshakeTimeout: OPEN_TIMEOUT_MS });
  const stream = new WebSocketByteStream(new NodeWebSocketPort(socket, '127.0.0.1', port));
  await new Promise<void>((resolve, reject) => {
    stream.once('connect', () => {
      stream.off('error', reject);
      resolve();
    });
    stream.once('error', reject);
  });
  stream.resume(); // the raw client reads the preface with a 'data' listener, as on a flowing TCP socket
  return openRawFramerpcClientOn(stream.asSocket(), stats, onClosed);
}
