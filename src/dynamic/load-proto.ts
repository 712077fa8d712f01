// The dynamic path's entry point, like @grpc/proto-loader: .proto files in, ServiceDefinitions out, no codegen.
import type { Channel } from '../client/channel';
import type { CallOptions } from '../client/call-options';
import { createClient } from '../client/create-client';
import { loadRoot, loadRootSync } from './proto-file-loader';
import { serviceDefinitionsOf, type DynamicServiceDefinition } from './service-from-reflection';
import { ErrorCode, FramerpcArgumentError, FramerpcOptionError } from '../errors';

export interface LoadProtoOptions {
  /**
   * Directories searched, in order, for the given files and for their imports (like protoc's -I). A relative
   * name not found there is tried relative to the importing file, or to the working directory for the given files.
   */
  includeDirs?: string[];
}

/**
 * Loads .proto files (and their imports) and returns a ServiceDefinition per service in them, keyed by full name
 * ("echo.v1.EchoService"). Each can be served with `server.addService(definition, implementation)` and called with
 * `createClient(definition, channel)`, on the same wire as ts-proto's definitions. Rejects with a DynamicProtoError
 * naming the file when one is missing, has a syntax error, or names an undefined type.
 */
export async function loadServiceDefinitions(protoFiles: string | string[], options: LoadProtoOptions = {}): Promise<Record<string, DynamicServiceDefinition>> {
  const root = await loadRoot(toList(protoFiles), includeDirsOf(options));
  return serviceDefinitionsOf(root);
}

/** As loadServiceDefinitions, reading the files synchronously (for start-up code). */
export function loadServiceDefinitionsSync(protoFiles: string | string[], options: LoadProtoOptions = {}): Record<string, DynamicServiceDefinition> {
  return serviceDefinitionsOf(loadRootSync(toList(protoFiles), includeDirsOf(options)));
}

/**
 * The client of a dynamic service, typed by what is known at compile time: nothing about call kinds. createClient
 * types every method of a dynamic definition as returning a Promise (its call kind is a plain boolean there); this
 * type returns `any`, so server-streaming and bidi methods can be iterated with `for await` without a cast.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type DynamicClient = { readonly [method: string]: (input: any, options?: CallOptions) => any };

/** createClient for a dynamic definition, typed so that streaming methods can be iterated without casts. */
export function createDynamicClient(definition: DynamicServiceDefinition, channel: Channel, defaults?: CallOptions): DynamicClient {
  return createClient(definition, channel, defaults);
}

function toList(protoFiles: string | string[]): string[] {
  const files = typeof protoFiles === 'string' ? [protoFiles] : protoFiles;
  if (!Array.isArray(files) || files.length === 0 || files.some((file) => typeof file !== 'string' || file === '')) {
    throw new FramerpcArgumentError(ErrorCode.INVALID_ARGUMENT, 'protoFiles must be a file name or a non-empty array of file names');
  }
  return files;
}

function includeDirsOf(options: LoadProtoOptions): string[] {
  const dirs = options.includeDirs ?? [];
  if (!Array.isArray(dirs) || dirs.some((dir) => typeof dir !== 'string')) throw new FramerpcOptionError('includeDirs', 'includeDirs must be an array of directory names');
  return dirs;
}
