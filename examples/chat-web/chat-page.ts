// The chat in a web page: the same Chat service, ChatEvents pushes, identity and event lines as the Node chat client.
import { createChannel, createClient, joinRoom, subscribePush, type Channel, type RpcError } from '../../src/browser';
import { ChatDefinition, ChatEventsDefinition } from '../../generated/chat/chat';
import { followChatEvents } from '../chat/chat-event-lines';
import { chatIdentity } from '../chat/chat-identity';

/** The bits of the DOM used here (the project compiles without the DOM typings). */
interface PageElement {
  value: string;
  textContent: string | null;
  disabled: boolean;
  addEventListener(type: string, listener: (event: { preventDefault(): void }) => void): void;
  append(child: PageElement): void;
  focus(): void;
}
const document = (globalThis as unknown as { document: { getElementById(id: string): PageElement; createElement(tag: string): PageElement } }).document;
const element = (id: string): PageElement => document.getElementById(id);

function addLine(line: string): void {
  const item = document.createElement('li');
  item.textContent = line;
  element('log').append(item);
}

let channel: Channel | undefined;
let room = '';

element('join').addEventListener('submit', (event) => {
  event.preventDefault();
  if (channel) return;
  const name = element('name').value.trim();
  room = element('room').value.trim();
  // A path: the WebSocket endpoint of the server that served this page (ws:// or wss:// to match it).
  const joined = createChannel('/rpc', { interceptors: [chatIdentity(name)] });
  channel = joined;
  joined.on('state', (state) => (element('status').textContent = `connection: ${state}`));
  const events = subscribePush(ChatEventsDefinition, joined);
  followChatEvents(events, addLine);
  void (async () => {
    await joined.connect();
    await events.ready();
    await joinRoom(joined, room);
    addLine(`you (${name}) joined ${room}`);
    element('join-button').disabled = true;
    element('text').disabled = false;
    element('send').disabled = false;
    element('text').focus();
  })().catch((error: RpcError) => addLine(`could not join: ${error.message}`));
});

element('post').addEventListener('submit', (event) => {
  event.preventDefault();
  if (!channel) return;
  const text = element('text').value;
  element('text').value = '';
  const chat = createClient(ChatDefinition, channel);
  chat.post({ room, text }).then(
    (reply) => addLine(`[${room} #${reply.seq}] you: ${text} (delivered to ${reply.delivered})`),
    (error: RpcError) => addLine(`not sent: ${error.message}`),
  );
});
