// The web chat's server: the Node chat server, plus an http server with the page and the framerpc WebSocket endpoint at /rpc.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { serveWebSocket } from '../../src';
import type * as BrowserBundle from '../../scripts/browser-bundle';
import { startChatServer, type ChatServer } from '../chat/chat-server';

/** The repository root (this file runs from examples/ under ts-jest and from dist/examples/ when built). */
function repositoryRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'scripts', 'browser-bundle.js'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('chat:web: scripts/browser-bundle.js not found above ' + __dirname);
    dir = parent;
  }
  return dir;
}

export interface ChatWebServer {
  readonly chat: ChatServer;
  /** The page's address, http://host:port/. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts the chat server (also on TCP, on a free port, so Node chat clients share its rooms) and serves
 * the page on `port` (0: any free port): GET / the page, /app.js its bundle (built now from chat-page.ts),
 * /rpc the WebSocket endpoint (same-origin: only pages from this server may connect).
 */
export async function startChatWebServer(port = 0, host = '127.0.0.1', log: (line: string) => void = console.log): Promise<ChatWebServer> {
  const root = repositoryRoot();
  // The bundler is a plain script (also run by npm run build:browser), outside the compiled tree.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain .js script with a .d.ts beside it, resolved at run time
  const { bundleInMemory } = require(path.join(root, 'scripts', 'browser-bundle.js')) as typeof BrowserBundle;
  const app = await bundleInMemory(path.join(root, 'examples', 'chat-web', 'chat-page.ts'));
  const html = fs.readFileSync(path.join(root, 'examples', 'chat-web', 'index.html'), 'utf8');
  const chat = await startChatServer(0, log);
  const files: Record<string, [type: string, body: string]> = {
    '/': ['text/html; charset=utf-8', html],
    '/app.js': ['text/javascript', app.js],
    '/app.js.map': ['application/json', app.map],
  };
  const httpServer = http.createServer((request, response) => {
    const file = files[request.url?.split('?')[0] ?? ''];
    if (file) response.writeHead(200, { 'content-type': file[0] }).end(file[1]);
    else response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  serveWebSocket(chat.server, { server: httpServer, path: '/rpc' });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, resolve);
  });
  const address = httpServer.address() as AddressInfo;
  return {
    chat,
    url: `http://${host}:${address.port}/`,
    async close() {
      await chat.server.close(100);
      httpServer.closeAllConnections();
      await new Promise((resolve) => httpServer.close(resolve));
    },
  };
}
