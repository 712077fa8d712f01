// framerpc as an app adopts it: npm pack, install the tarball into a fresh app outside the repo, gen, tsc, run (CJS and ESM).
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const REPO = path.join(__dirname, '..', '..');
const FIXTURE = path.join(__dirname, 'app');

interface Run {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion within `timeoutMs`, rejecting with its output when it fails. */
function run(command: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env: cleanEnv(), timeout: timeoutMs, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed (${error.message}):\n${stdout}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** The environment without what an enclosing `npm run` sets for its own package (it would leak into the app's npm). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.toLowerCase().startsWith('npm_') || /^npm_config_(cache|registry|userconfig)$/i.test(key)) env[key] = value;
  }
  return env;
}

/** The version of `name` installed here: the app asks for the same, so npm finds it in its cache. */
function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(path.join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

describe('a fresh app adopting the packed framerpc', () => {
  let work: string;
  let app: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'framerpc-adoption-'));
    app = path.join(work, 'shop-app');
    // npm pack runs prepack, which builds dist/ from src/.
    const packed = await run(npm, ['pack', '--json', '--pack-destination', work], REPO, 120_000);
    const [{ filename }] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string }[];
    cpSync(FIXTURE, app, { recursive: true });
    const dependencies: Record<string, string> = { framerpc: `file:../${filename}` };
    for (const name of ['tsyringe', 'reflect-metadata', 'typescript', '@types/node']) dependencies[name] = installedVersion(name);
    writeFileSync(path.join(app, 'package.json'), `${JSON.stringify({ name: 'shop-app', version: '1.0.0', private: true, dependencies }, null, 2)}\n`);
  }, 180_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('installs, generates, compiles strict TypeScript and runs a server and a typed client, from CommonJS, from ESM, and as an ES module app', async () => {
    const install = await run(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund'], app, 120_000);
    expect(`${install.stdout}${install.stderr}`).not.toMatch(/EBADENGINE|ERESOLVE|peer dep/i);
    // One tsyringe (the app's), shared by framerpc: framerpc brings no copy of its own.
    expect(existsSync(path.join(app, 'node_modules', 'framerpc', 'node_modules', 'tsyringe'))).toBe(false);
    expect(readdirSync(path.join(app, 'node_modules', 'framerpc')).sort()).toEqual(['LICENSE', 'README.md', 'dist', 'package.json', 'proto']);

    await run(npx, ['--no', '--', 'framerpc', 'gen'], app, 60_000);
    expect(readdirSync(path.join(app, 'generated')).sort()).toEqual(['google', 'shop']); // none of framerpc's own protos

    await run(npx, ['--no', '--', 'tsc', '-p', 'tsconfig.json'], app, 120_000);

    const expected = {
      anvil: { name: 'Anvil', addedAt: '2026-01-01T00:00:00.000Z' },
      added: 'Bolt',
      notFound: 'NOT_FOUND: no item nope',
      streamed: ['Anvil', 'Bolt'],
      pushed: ['Welcome', 'Bolt'],
    };
    const cjs = await run(process.execPath, ['dist/src/main.js'], app, 30_000);
    expect(JSON.parse(cjs.stdout)).toEqual(expected);

    const esm = await run(process.execPath, ['esm/main.mjs'], app, 30_000);
    expect(JSON.parse(esm.stdout)).toEqual({ ...expected, esmError: true, fromTestClient: 'From test client' });

    // An app written as ES modules, strict TypeScript with module nodenext, its stubs generated with --esm.
    const esmApp = path.join(app, 'esm-app');
    await run(npx, ['--no', '--', 'framerpc', 'gen', '--esm', '--proto', '../proto', '--out', 'generated'], esmApp, 60_000);
    await run(npx, ['--no', '--', 'tsc', '-p', 'tsconfig.json'], esmApp, 120_000);
    const esmAppRun = await run(process.execPath, ['dist/src/main.js'], esmApp, 30_000);
    expect(JSON.parse(esmAppRun.stdout)).toEqual({ found: 'Anvil', addedAt: '1970-01-01T00:00:00.000Z', missing: 'NOT_FOUND', streamed: ['Anvil'], unimplemented: 'UNIMPLEMENTED' });

    // The other entry points resolve; deep imports are closed by the exports map.
    const entries = await run(
      process.execPath,
      [
        '-e',
        `const r = (m) => { try { require(m); return 'ok'; } catch (e) { return e.code; } };
        console.log(JSON.stringify([r('framerpc/internal'), r('framerpc/package.json'), r('framerpc/push/v1/push'), r('framerpc/grpc/health/v1/health'),
          require('node:fs').existsSync(require.resolve('framerpc/proto/framerpc/push/v1/push.proto')), r('framerpc/dist/src/rpc/status')]));`,
      ],
      app,
      30_000,
    );
    expect(JSON.parse(entries.stdout)).toEqual(['ok', 'ok', 'ok', 'ok', true, 'ERR_PACKAGE_PATH_NOT_EXPORTED']);

    // The app's own test, with framerpc/testing's createTestClient.
    await run(process.execPath, ['--test', 'dist/test/'], app, 30_000);
  }, 300_000);
});
