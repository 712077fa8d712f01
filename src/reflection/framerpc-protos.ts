// Where framerpc's own .proto files (health, reflection, push) are at run time, for reflection to describe them.
import { existsSync } from 'node:fs';
import * as path from 'node:path';

const MARKER = path.join('proto', 'grpc', 'health', 'v1', 'health.proto');

/**
 * @internal framerpc's proto/ directory: the first ancestor of this file holding proto/grpc/health/v1/health.proto
 * (src/reflection/ under ts-jest, dist/src/reflection/ when built), or undefined when it is not shipped.
 */
export function framerpcProtoDir(): string | undefined {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, MARKER))) return path.join(dir, 'proto');
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** @internal framerpc's own services' files, relative to framerpcProtoDir(). */
export const FRAMERPC_PROTO_FILES = ['grpc/health/v1/health.proto', 'grpc/reflection/v1/reflection.proto', 'framerpc/push/v1/push.proto'];
