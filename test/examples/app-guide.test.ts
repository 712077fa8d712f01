// The README's "Use framerpc in your app" snippets are the files of test/adoption/app, which the adoption test
// (npm run test:adoption) compiles with strict tsc against the packed package and runs.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const REPO = path.join(__dirname, '..', '..');
const APP = path.join(REPO, 'test', 'adoption', 'app');

/** The guide's section of the README. */
function guide(): string {
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const start = readme.indexOf('## Use framerpc in your app');
  return readme.slice(start, readme.indexOf('\n## ', start + 1));
}

/** Each snippet the guide attributes to a file: "`src/x.ts`:" then a fenced block. */
function snippets(): { file: string; code: string }[] {
  return [...guide().matchAll(/^`([^`\n]+)`:\n\n```[a-z]*\n([\s\S]*?)\n```$/gm)].map(([, file, code]) => ({ file, code }));
}

describe('README: Use framerpc in your app', () => {
  test('shows each file of the app, verbatim', () => {
    const found = snippets();
    expect(found.map(({ file }) => file)).toEqual([
      'tsconfig.json',
      'proto/shop/v1/shop.proto',
      'src/shop-handler.ts',
      'src/catalog.ts',
      'src/server.ts',
      'src/client.ts',
      'src/main.ts',
      'esm/main.mjs',
      'test/shop-handler.spec.ts',
    ]);
    for (const { file, code } of found) expect({ file, inFile: readFileSync(path.join(APP, file), 'utf8').includes(code) }).toEqual({ file, inFile: true });
  });

  test('covers install, gen, DI with the app container, the join handshake and the testing helper', () => {
    const text = guide();
    for (const step of ['npm install framerpc tsyringe reflect-metadata', 'npx framerpc gen', 'container.registerInstance(Catalog', "hub.on('join'", 'joinRoom(channel', 'createTestClient(']) {
      expect(text).toContain(step);
    }
  });
});
