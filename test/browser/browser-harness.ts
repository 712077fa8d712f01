// Real-browser test set-up: the page bundled by esbuild, an http server with the framerpc WebSocket endpoint at /rpc, headless Chromium.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { bundleInMemory } from '../../scripts/browser-bundle';

/** Debian's chromium (apt-get install chromium); FRAMERPC_CHROMIUM names another build. */
export const CHROMIUM = process.env.FRAMERPC_CHROMIUM ?? '/usr/bin/chromium';

/** Launches headless Chromium, failing loudly when it is not installed: a browser suite that skips proves nothing. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`npm run test:browser needs Chromium at ${CHROMIUM}: install it (apt-get install chromium) or set FRAMERPC_CHROMIUM`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
}

/** Bundles `entry` for the browser (in memory); resolves with the bundle's text and its source map. */
export function bundlePage(entry: string): Promise<{ js: string; map: string }> {
  return bundleInMemory(entry);
}

/** An http server with a page at / loading /app.js; `upgrade` requests are left to whoever attaches. */
export async function servePage(app: { js: string; map: string }, title = 'framerpc test'): Promise<{ server: http.Server; origin: string }> {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><script type="module" src="/app.js"></script></body></html>`;
  const server = http.createServer((request, response) => {
    const route = request.url?.split('?')[0];
    if (route === '/') response.writeHead(200, { 'content-type': 'text/html' }).end(html);
    else if (route === '/app.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(app.js);
    else if (route === '/app.js.map') response.writeHead(200, { 'content-type': 'application/json' }).end(app.map);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Opens `url` in a new page, failing the test on page errors; resolves once `globalName` exists on the page. */
export async function openPage(browser: Browser, url: string, globalName: string): Promise<Page> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  await page.goto(url);
  try {
    await page.waitForFunction((name) => name in globalThis, globalName, { timeout: 10_000 });
  } catch (error) {
    throw new Error(`the page never defined ${globalName}: ${problems.join('; ') || (error as Error).message}`);
  }
  return page;
}
