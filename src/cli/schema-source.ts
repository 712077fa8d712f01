// Where the CLI learns a server's services and messages: server reflection, or local .proto files (--proto DIR).
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import type * as protobuf from 'protobufjs';
import type { CallOptions } from '../client/call-options';
import type { Channel } from '../client/channel';
import { loadRootSync } from '../dynamic/proto-file-loader';
import { ReflectionClient } from '../reflection/reflection-client';
import { servicesIn } from './describe-format';

/** Lists services and gives the protobufjs Root describing the ones asked for. */
export interface SchemaSource {
  listServices(): Promise<string[]>;
  root(symbols: readonly string[]): Promise<protobuf.Root>;
}

/** The server's reflection service. */
export function reflectionSource(channel: Channel, options: CallOptions): SchemaSource {
  const client = new ReflectionClient(channel, options);
  return { listServices: () => client.listServices(), root: (symbols) => client.root(symbols) };
}

/** Every .proto file under `dir` (imports resolved against `dir`). */
export function protoDirSource(dir: string): SchemaSource {
  const files = protoFilesUnder(dir);
  const root = loadRootSync(files, [dir]);
  return {
    listServices: async () => [...servicesIn(root)].map((service) => service.fullName.replace(/^\./, '')),
    root: async () => root,
  };
}

function protoFilesUnder(dir: string): string[] {
  const files: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const name = path.join(relative, entry.name);
      if (entry.isDirectory()) walk(name);
      else if (entry.name.endsWith('.proto')) files.push(name);
    }
  };
  walk('');
  return files.sort();
}
