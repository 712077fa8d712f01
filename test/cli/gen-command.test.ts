// `framerpc gen`: an app's protos compiled with framerpc's buf and ts-proto, framerpc's own protos imported, not generated.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { generate, packageModuleOf, TS_PROTO_OPTIONS } from '../../src/cli/gen-command';
import { UsageError } from '../../src/cli/connection-options';
import { prepareCli } from './cli-process';

const SHOP_PROTO = `syntax = "proto3";
package shop.v1;
import "framerpc/push/v1/push.proto";
import "google/protobuf/timestamp.proto";

message GetItemRequest { string id = 1; }
message Item { string id = 1; string name = 2; google.protobuf.Timestamp added_at = 3; }

service ShopService {
  rpc GetItem(GetItemRequest) returns (Item);
  rpc WatchItems(GetItemRequest) returns (stream Item);
}
service ShopEvents {
  rpc ItemAdded(Item) returns (framerpc.push.v1.PushAck);
}
`;

/** Every file under `dir`, relative to it, sorted. */
function filesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (sub: string): void => {
    for (const entry of readdirSync(path.join(dir, sub))) {
      const name = path.join(sub, entry);
      if (statSync(path.join(dir, name)).isDirectory()) walk(name);
      else found.push(name.split(path.sep).join('/'));
    }
  };
  walk('');
  return found.sort();
}

describe('framerpc gen', () => {
  let app: string;

  beforeEach(() => {
    app = mkdtempSync(path.join(tmpdir(), 'framerpc-gen-test-'));
    mkdirSync(path.join(app, 'proto', 'shop', 'v1'), { recursive: true });
    writeFileSync(path.join(app, 'proto', 'shop', 'v1', 'shop.proto'), SHOP_PROTO);
  });

  afterEach(() => rmSync(app, { recursive: true, force: true }));

  it("generates the app's files (and the well-known types it imports), none of framerpc's, with no buf config in the app", async () => {
    const out = await generate({}, app);
    expect(out).toBe(path.join(app, 'generated'));
    expect(filesUnder(out)).toEqual(['google/protobuf/timestamp.ts', 'shop/v1/shop.ts']);
    expect(existsSync(path.join(app, 'buf.yaml')) || existsSync(path.join(app, 'buf.gen.yaml'))).toBe(false);
    const shop = readFileSync(path.join(out, 'shop', 'v1', 'shop.ts'), 'utf8');
    // framerpc's push types come from the package, so the app and framerpc share one PushAck.
    expect(shop).toContain('import { PushAck } from "framerpc/push/v1/push";');
    // generic definitions: what createClient and addService read (ts-proto's default output has no `methods`)
    expect(shop).toMatch(/export const ShopServiceDefinition = \{[\s\S]*methods: \{[\s\S]*watchItems: \{[\s\S]*responseStream: true/);
    expect(shop).toContain('addedAt: Date | undefined'); // useDate default, as framerpc's own code
  });

  it('takes --proto and --out, --esm suffixes relative imports with .js, --clean removes stale files', async () => {
    mkdirSync(path.join(app, 'out', 'old'), { recursive: true });
    writeFileSync(path.join(app, 'out', 'old', 'stale.ts'), '');
    const out = await generate({ proto: 'proto/shop', out: 'out', esm: true, clean: true }, app);
    expect(filesUnder(out)).toEqual(['google/protobuf/timestamp.ts', 'v1/shop.ts']);
    const shop = readFileSync(path.join(out, 'v1', 'shop.ts'), 'utf8');
    expect(shop).toContain('from "../google/protobuf/timestamp.js"');
    expect(shop).toContain('from "framerpc/push/v1/push"'); // a package export: no suffix
  });

  it('names a missing proto directory, and passes on where buf found a mistake', async () => {
    await expect(generate({ proto: 'nowhere' }, app)).rejects.toThrow(UsageError);
    writeFileSync(path.join(app, 'proto', 'bad.proto'), 'syntax = "proto3";\nmessage Broken { Missing m = 1; }\n');
    await expect(generate({}, app)).rejects.toThrow(/buf generate failed: .*bad\.proto:2:\d+:.*Missing/);
  });

  it('uses the options framerpc needs, and maps its own protos to the package exports', () => {
    expect(TS_PROTO_OPTIONS).toContain('outputServices=generic-definitions');
    expect(packageModuleOf('framerpc/push/v1/push.proto')).toBe('framerpc/push/v1/push');
    expect(packageModuleOf('grpc/health/v1/health.proto')).toBe('framerpc/grpc/health/v1/health');
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    for (const module of ['framerpc/push/v1/push', 'framerpc/grpc/health/v1/health', 'framerpc/grpc/reflection/v1/reflection']) {
      expect(pkg.exports[module.replace(/^framerpc/, '.')]).toBeDefined();
    }
  });

  it('runs as the gen command of the framerpc bin', async () => {
    const result = await prepareCli().run(['gen', '--proto', path.join(app, 'proto'), '--out', path.join(app, 'gen')], { timeoutMs: 15_000 });
    expect(result).toMatchObject({ status: 0, stdout: `generated ${path.join(app, 'gen')}\n` });
    expect(filesUnder(path.join(app, 'gen'))).toContain('shop/v1/shop.ts');
  });
});
