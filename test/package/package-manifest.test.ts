// package.json as a published package: entry points that the build writes, peers shared with the app, no engine warnings.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const REPO = path.join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- package.json's shape is what the assertions check
const read = (file: string): Record<string, any> => JSON.parse(readFileSync(path.join(REPO, file), 'utf8')) as Record<string, any>;
const pkg = read('package.json');
// semver comes with npm's own tooling in node_modules (jest depends on it); only satisfies() is needed here.
const semver = createRequire(__filename)('semver') as { satisfies(version: string, range: string): boolean };

/** The source file tsc compiles to a dist/ path: dist/src/x.js -> src/x.ts, dist/generated/y.d.ts -> generated/y.ts. */
function sourceOf(distPath: string): string {
  return distPath.replace(/^\.\/dist\//, '').replace(/(\.d)?\.ts$|\.js$/, '.ts');
}

describe('package.json', () => {
  test('is publishable, with an exports map whose every entry the build writes', () => {
    expect(pkg.private).toBeUndefined();
    const exports = pkg.exports as Record<string, string | { types: string; default: string }>;
    expect(Object.keys(exports)).toEqual(expect.arrayContaining(['.', './internal', './testing', './package.json', './push/v1/push', './proto/*']));
    for (const [entry, target] of Object.entries(exports)) {
      if (typeof target === 'string') continue; // package.json, proto files
      for (const file of [target.types, target.default]) expect({ entry, file, source: existsSync(path.join(REPO, sourceOf(file))) }).toEqual({ entry, file, source: true });
    }
    expect(existsSync(path.join(REPO, 'proto', 'framerpc', 'push', 'v1', 'push.proto'))).toBe(true);
    // Bundlers resolving for a browser take the bundle (built by prepack), which holds no Node built-ins.
    expect((exports['.'] as { browser?: string }).browser).toBe('./dist/browser/framerpc.js');
    // Node 10-style resolution (TypeScript's moduleResolution node) reads typesVersions for the subpaths.
    for (const entry of ['internal', 'testing', 'push/v1/push']) {
      const { types } = exports[`./${entry}`] as { types: string };
      expect(pkg.typesVersions['*'][entry]).toEqual([types.replace(/^\.\//, '')]);
    }
  });

  test('ships only built code, declarations, the browser bundle and framerpc’s own protos (README and LICENSE come with any package)', () => {
    expect(pkg.files).toEqual([
      'dist/src/**/*.js',
      'dist/src/**/*.d.ts',
      'dist/generated/framerpc/**/*.js',
      'dist/generated/framerpc/**/*.d.ts',
      'dist/generated/grpc/**/*.js',
      'dist/generated/grpc/**/*.d.ts',
      'proto/framerpc/**/*.proto',
      'proto/grpc/**/*.proto',
      'dist/browser/**/*.js',
    ]);
    expect(existsSync(path.join(REPO, 'LICENSE'))).toBe(true);
    expect(pkg.scripts.prepack).toBe('npm run build && npm run build:browser'); // the browser field's bundle ships too
    expect(pkg.scripts.prepare).toBe('node scripts/prepare-build.js');
    expect(read('tsconfig.build.json').include).toEqual(['src']);
  });

  test('tsyringe and reflect-metadata are peers (one container for app and framerpc); buf and ts-proto are dependencies (framerpc gen)', () => {
    for (const peer of ['tsyringe', 'reflect-metadata']) {
      expect(pkg.peerDependencies[peer]).toBeDefined();
      expect(pkg.devDependencies[peer]).toBe(pkg.peerDependencies[peer]);
      expect(pkg.dependencies[peer]).toBeUndefined();
    }
    for (const tool of ['@bufbuild/buf', 'ts-proto']) expect(pkg.dependencies[tool]).toBeDefined();
  });

  test('every locked package supports this Node (npm ci prints no EBADENGINE)', () => {
    const lock = read('package-lock.json') as { packages: Record<string, { engines?: unknown }> };
    const unsupported = Object.entries(lock.packages)
      .map(([name, entry]) => [name, (entry.engines as { node?: string } | undefined)?.node] as const)
      .filter(([, range]) => typeof range === 'string' && !semver.satisfies(process.version, range));
    expect(unsupported).toEqual([]);
  });
});
