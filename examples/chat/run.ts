// `npm run chat`: a chat server with rooms and three typed clients talking through it. Prints what happened, exits 0.
import 'reflect-metadata';
import { createChannel, joinRoom, type RpcError } from '../../src';
import { ChatEventsDefinition } from '../../generated/chat/chat';
import { ChatUser } from './chat-client';
import { startChatServer } from './chat-server';

async function main(): Promise<void> {
  const log = (line: string): void => console.log(line);
  const { server, hub } = await startChatServer(0, log);
  log(`server: listening on 127.0.0.1:${server.port}`);
  const alice = await new ChatUser('alice', server.port, log, 'admin').connect();
  const bob = await new ChatUser('bob', server.port, log).connect();
  const carol = await new ChatUser('carol', server.port, log).connect();

  log('\n-- everyone joins the lobby (each join is announced to those already there)');
  await alice.join('lobby');
  await bob.join('lobby');
  await alice.until(1);
  await carol.join('lobby');
  await Promise.all([alice.until(2), bob.until(1)]);

  log('\n-- an anonymous client tries the lobby: the server interceptor wants a "user" metadata entry');
  const anonymous = createChannel(`127.0.0.1:${server.port}`);
  await joinRoom(anonymous, 'lobby').catch((error: RpcError) => log(`anonymous: refused: ${error.codeName}`));
  anonymous.close();

  log('\n-- carol tries the staff room: the hub asks authorizeJoin, which wants role=admin');
  await carol.join('staff').catch((error: RpcError) => log(`carol: refused: ${error.codeName}: ${error.message}`));
  await alice.join('staff');
  log(`server: staff members: ${(await alice.chat.who({ room: 'staff' })).users.join(', ')}`);

  log('\n-- alice posts: pushed to the other members of the lobby, encoded once');
  const reply = await alice.chat.post({ room: 'lobby', text: 'hello, lobby!' });
  await Promise.all([bob.until(2), carol.until(1)]);
  log(`alice: posted #${reply.seq}, delivered to ${reply.delivered}, dropped ${reply.dropped}`);
  await bob.chat.post({ room: 'lobby', text: 'hi alice' });
  await Promise.all([alice.until(3), carol.until(2)]);

  log('\n-- carol leaves; then the server pushes to everyone, then to one connection');
  await carol.leave('lobby');
  await Promise.all([alice.until(4), bob.until(3)]);
  const events = hub.emitter(ChatEventsDefinition);
  const all = events.toAll().messagePosted({ room: '*', from: 'server', text: 'maintenance at midnight', seq: 0 });
  await Promise.all([alice.until(5), bob.until(4), carol.until(3)]);
  log(`server: announcement sent to ${all.sent} connections`);
  log(`server: lobby is now ${(await bob.chat.who({ room: 'lobby' })).users.join(', ')}`);
  events.toConnection(hub.members('staff')[0]).messagePosted({ room: 'staff', from: 'server', text: 'you are on call tonight', seq: 0 });
  await alice.until(6);

  log('\n-- bob disconnects: the hub forgets his rooms and announces it');
  bob.close();
  await alice.until(7);
  log(`server: lobby is now ${(await alice.chat.who({ room: 'lobby' })).users.join(', ')}`);

  const stats = hub.stats;
  log(`\nserver: hub stats: ${stats.pushes} pushes, ${stats.messagesEncoded} messages encoded, ${stats.framesEncoded} frames encoded, ${stats.sent} sent, ${stats.dropped} dropped`);
  alice.close();
  carol.close();
  await server.close(500);
  log('server: closed. Chat finished.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
