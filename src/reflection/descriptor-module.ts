// protobufjs's descriptor extension, loaded on first use: it builds a large reflection tree and patches protobufjs,
// which a server that never serves or reads reflection should not pay for at start-up.
import type * as Descriptor from 'protobufjs/ext/descriptor';

let loaded: typeof Descriptor | undefined;

/** @internal protobufjs/ext/descriptor (adds Root.fromDescriptor and Root#toDescriptor). */
export function descriptorModule(): typeof Descriptor {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('protobufjs/ext/descriptor') as typeof Descriptor;
  return loaded;
}
