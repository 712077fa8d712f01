// framerpc in real headless Chromium: the browser bundle's typed client and push over WebSocket against a real server.
import * as http from 'node:http';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PushHub, RpcServer, Status, serveWebSocket } from '../../src';
import { ChatEventsDefinition } from '../../generated/chat/chat';
import { TestServiceDefinition } from '../../generated/test/testing';
import { testService, type AbortLog } from '../websocket/test-service';
import { bundlePage, launchChromium, openPage, servePage } from './browser-harness';
import type { FramerpcTest } from './page/test-page';

let browser: Browser;
let httpServer: http.Server;
let origin: string;
let server: RpcServer;
let hub: PushHub;
let aborts: AbortLog;
const pages: Page[] = [];

/** A server (TestService + a PushHub) on the page's own http server at /rpc. */
function startServer(): void {
  aborts = { aborted: [] };
  // sendCompression: replies of 1 KiB or more are deflated towards pages that accept it (the browser build does).
  server = new RpcServer({ sendCompression: true, logger: { error() {}, warn() {} } });
  server.addService(TestServiceDefinition, testService(aborts));
  hub = new PushHub(server);
  serveWebSocket(server, { server: httpServer, path: '/rpc' });
}

beforeAll(async () => {
  const [launched, app] = await Promise.all([launchChromium(), bundlePage(path.join(__dirname, 'page', 'test-page.ts'))]);
  browser = launched;
  ({ server: httpServer, origin } = await servePage(app));
  startServer();
});

afterAll(async () => {
  await browser?.close();
  await server?.close(100);
  await new Promise((resolve) => httpServer?.close(resolve));
});

async function page(): Promise<Page> {
  const opened = await openPage(browser, `${origin}/`, 'framerpcTest');
  pages.push(opened);
  return opened;
}

/** Runs `fn(framerpcTest, arg)` in the page. */
function inPage<A, R>(target: Page, fn: (t: FramerpcTest, arg: A) => Promise<R> | R, arg: A): Promise<R> {
  return target.evaluate(
    ([source, value]) => {
      const t = (globalThis as unknown as { framerpcTest: FramerpcTest }).framerpcTest;
      return (0, eval)(`(${source})`)(t, value) as Promise<R>;
    },
    [fn.toString(), arg] as const,
  );
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('framerpc in Chromium over WebSocket', () => {
  let first: Page;
  beforeAll(async () => {
    first = await page();
  });

  test('unary with metadata both ways (header and trailer back)', async () => {
    await expect(inPage(first, (t, seq) => t.unary(seq, 'from-the-page'), 41)).resolves.toEqual({ seq: 42, header: 'from-the-page', trailer: 'done:from-the-page' });
  });

  test('server streaming, bidi', async () => {
    await expect(inPage(first, (t, n) => t.serverStream(n), 20)).resolves.toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    await expect(inPage(first, (t, seqs) => t.bidi(seqs), [1, 2, 3])).resolves.toEqual([10, 20, 30]);
  });

  test('compression is negotiated with the page: a 200 KB message deflated both ways, over several WebSocket messages', async () => {
    await expect(inPage(first, (t, bytes) => t.bigUnary(bytes), 200_000)).resolves.toBe(true);
    const toPage = [...server.transport.connections.values()].map((connection) => connection.encoding.compressMinBytes);
    expect(toPage).toEqual([1024]); // the server compresses towards the page: the page advertised compression
  });

  test('an error status from the handler reaches the page', async () => {
    await expect(inPage(first, (t, text) => t.fail(text), 'nope')).resolves.toMatchObject({ code: Status.FAILED_PRECONDITION, message: expect.stringContaining('nope') });
  });

  test('a deadline: DEADLINE_EXCEEDED in the page, the handler aborted on the server', async () => {
    const result = await inPage(first, (t, [sleepMs, timeoutMs]) => t.deadline(sleepMs, timeoutMs), [5000, 100] as [number, number]);
    expect(result.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(result.ms).toBeLessThan(2000);
    await waitFor(() => aborts.aborted.includes('sleep'), 'the server to abort the handler');
  });

  test('an AbortSignal cancels the call: CANCELLED in the page, the handler aborted on the server', async () => {
    aborts.aborted.length = 0;
    await expect(inPage(first, (t, [sleepMs, abortMs]) => t.abort(sleepMs, abortMs), [5000, 50] as [number, number])).resolves.toMatchObject({ code: Status.CANCELLED });
    await waitFor(() => aborts.aborted.includes('sleep'), 'the server to abort the handler');
  });

  test('a push to a room reaches two pages', async () => {
    const second = await page();
    await Promise.all([first, second].map((target) => inPage(target, (t, room) => t.join(room), 'lobby')));
    hub.emitter(ChatEventsDefinition).toRoom('lobby').messagePosted({ room: 'lobby', from: 'server', text: 'hello pages', seq: 1 });
    for (const target of [first, second]) {
      await target.waitForFunction(() => (globalThis as unknown as { framerpcTest: FramerpcTest }).framerpcTest.pushes().length > 0);
      await expect(inPage(target, (t) => t.pushes(), undefined)).resolves.toEqual(['lobby:hello pages']);
    }
  });

  test('the page reconnects after the server restarts', async () => {
    await server.close(100);
    await first.waitForFunction(() => (globalThis as unknown as { framerpcTest: FramerpcTest }).framerpcTest.state() !== 'open');
    startServer();
    await first.waitForFunction(() => (globalThis as unknown as { framerpcTest: FramerpcTest }).framerpcTest.state() === 'open', undefined, { timeout: 10_000 });
    await expect(inPage(first, (t, seq) => t.unary(seq, 'again'), 1)).resolves.toMatchObject({ seq: 2, header: 'again' });
    const states = await inPage(first, (t) => t.states(), undefined);
    expect(states).toContain('reconnecting');
  });
});
