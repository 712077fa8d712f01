// Starts the chat server: Chat handler (DI), a PushHub, an interceptor guarding room joins, join/leave announcements.
import 'reflect-metadata';
import { container } from 'tsyringe';
import { PushHub, RpcError, RpcServer, Status, tsyringeResolver, type ServerInterceptor } from '../../src';
import { ChatEventsDefinition } from '../../generated/chat/chat';
import { ChatHandler } from './chat-handler';
import { ChatRoster } from './chat-roster';

const JOIN = '/framerpc.push.v1.PushControl/Join';

/** Joining a room needs a "user" metadata entry: checked by method path, like any other call. */
export const requireUserToJoin: ServerInterceptor = async (context, next) => {
  if (context.method === JOIN && !context.metadata.get('user')) {
    throw new RpcError(Status.UNAUTHENTICATED, 'send a "user" metadata entry to join rooms');
  }
  return next();
};

export interface ChatServer {
  readonly server: RpcServer;
  readonly hub: PushHub;
}

/** Creates and starts a chat server on 127.0.0.1 (port 0 = any free port). */
export async function startChatServer(port = 0, log: (line: string) => void = console.log): Promise<ChatServer> {
  const scope = container.createChildContainer();
  const server = new RpcServer({ resolver: tsyringeResolver(scope), interceptors: [requireUserToJoin] });
  const hub = new PushHub(server, {
    maxPushBacklogBytes: 256 * 1024,
    // The "staff" room is for admins only: decided per room, after the interceptors ran.
    authorizeJoin: (room, context) => room !== 'staff' || context.metadata.get('role') === 'admin',
    // Staff announcements are important: a staff client that falls behind is disconnected, not skipped.
    rooms: { staff: { slowConsumer: 'disconnect' } },
  });
  scope.registerInstance(PushHub, hub);
  scope.registerSingleton(ChatRoster);
  const roster = scope.resolve(ChatRoster);
  const events = hub.emitter(ChatEventsDefinition);
  hub.on('join', (connectionId, room, context) => {
    const user = String(context?.metadata.get('user') ?? '');
    if (user) roster.set(connectionId, user);
    log(`server: ${roster.nameOf(connectionId)} joined ${room}`);
    events.toRoom(room, { except: connectionId }).userJoined({ room, user: roster.nameOf(connectionId) });
  });
  hub.on('leave', (connectionId, room, reason) => {
    log(`server: ${roster.nameOf(connectionId)} left ${room} (${reason})`);
    events.toRoom(room).userLeft({ room, user: roster.nameOf(connectionId) });
  });
  server.on('disconnect', (connection) => roster.forget(connection.id));
  server.add(ChatHandler);
  await server.listen(port);
  return { server, hub };
}
