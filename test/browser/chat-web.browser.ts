// The web chat (npm run chat:web) used by two Chromium pages: join, see each other arrive, talk; a Node chat user in the same room.
import type { Browser, Page } from 'playwright-core';
import { ChatUser } from '../../examples/chat/chat-client';
import { startChatWebServer, type ChatWebServer } from '../../examples/chat-web/chat-web-server';
import { launchChromium, openPage } from './browser-harness';

let browser: Browser;
let web: ChatWebServer;
let nodeUser: ChatUser | undefined;

beforeAll(async () => {
  [browser, web] = await Promise.all([launchChromium(), startChatWebServer(0, '127.0.0.1', () => undefined)]);
});

afterAll(async () => {
  nodeUser?.close();
  await browser?.close();
  await web?.close();
});

async function join(name: string): Promise<Page> {
  const page = await openPage(browser, web.url, 'document');
  await page.waitForSelector('#name');
  await page.fill('#name', name);
  await page.click('#join-button');
  await page.waitForSelector('#send:not([disabled])');
  return page;
}

function logHas(page: Page, text: string): Promise<unknown> {
  return page.waitForFunction(
    (wanted) =>
      [...(globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<{ textContent: string }> } }).document.querySelectorAll('#log li')].some((li) =>
        li.textContent.includes(wanted),
      ),
    text,
    { timeout: 10_000 },
  );
}

test('two pages chat through the server; a Node chat user in the same room hears them', async () => {
  const ann = await join('ann');
  await logHas(ann, 'you (ann) joined lobby');
  const ben = await join('ben');
  await logHas(ann, 'ben joined lobby');

  await ben.fill('#text', 'hello ann');
  await ben.click('#send');
  await logHas(ann, '[lobby #1] ben: hello ann');
  await logHas(ben, '[lobby #1] you: hello ann (delivered to 1)');

  // The Node chat client (TCP) and the pages (WebSocket) share one server and its rooms.
  nodeUser = await new ChatUser('nia', web.chat.server.port, () => undefined).connect();
  await nodeUser.join('lobby');
  await logHas(ben, 'nia joined lobby');
  await ann.fill('#text', 'hi both');
  await ann.click('#send');
  await logHas(ben, '[lobby #2] ann: hi both');
  await nodeUser.until(1);
  await expect(nodeUser.chat.who({ room: 'lobby' })).resolves.toEqual({ users: ['ann', 'ben', 'nia'] });
});
