// framerpc broadcast server (forked child): Chat.Post from proto/chat/chat.proto is a unary RPC whose handler
// pushes the posted text to every subscribed connection with the PushHub (one encode per message), default
// slow-consumer policy ('drop' past maxPushBacklogBytes, 1 MiB).
import 'reflect-metadata';
import { PushHub, RpcServer, serveWebSocket } from '../../src';
import { ChatDefinition, ChatEventsDefinition, type PostReply, type PostRequest } from '../../generated/chat/chat';
import { serveBroadcast, type BroadcastServer } from './server-child';

/** Well above the largest M of the section; set explicitly so a default change does not refuse clients. */
const MAX_CONNECTIONS = 16_000;

/** Starts the server; with `websocket` it takes its clients over WebSocket and reports that port instead of TCP's. */
export async function startFramerpcBroadcast(websocket = false): Promise<BroadcastServer> {
  const server = new RpcServer({ maxConnections: MAX_CONNECTIONS });
  const hub = new PushHub(server);
  const events = hub.emitter(ChatEventsDefinition);
  let received = 0;
  let seq = 0;
  server.addService(ChatDefinition, {
    // Everyone gets every message, the sender included (M x M deliveries per second).
    post(request: PostRequest): PostReply {
      received++;
      seq++;
      // room and from stay empty, so the text sits at a fixed offset of the PUSH payload for the raw clients.
      const delivery = events.toAll().messagePosted({ room: request.room, from: '', text: request.text, seq });
      return { seq, delivered: delivery.sent, dropped: delivery.dropped };
    },
    who: () => ({ users: [] }),
  });
  await server.listen(0);
  const port = websocket ? (await serveWebSocket(server).listen(0)).port : server.port;
  return {
    port,
    connections: () => server.transport.connections.size,
    counters: () => ({ received, dropped: hub.stats.dropped }),
    close: () => server.close(500),
  };
}

if (require.main === module) serveBroadcast(() => startFramerpcBroadcast());
