// The trailers sent with a final status: the handler's context.trailers plus those of the error it threw.
import { Metadata, type MetadataValue } from '../rpc/metadata';
import type { Logger } from './server-options';
import { ErrorCode, FramerpcArgumentError } from '../errors';

/**
 * Merges the context's trailers with an RpcError's `metadata`, which may be a plain object as
 * CallOptions.metadata accepts (`new Metadata(obj)`). Never throws: trailers that are not valid metadata
 * are left out and reported to the logger, so a bad trailer cannot stop the status from being sent.
 */
export function mergeTrailers(fromContext: Metadata | undefined, fromError: unknown, logger: Logger): Metadata | undefined {
  let extra: Metadata | undefined;
  try {
    extra = asMetadata(fromError);
  } catch (error) {
    logger.warn(`framerpc: RpcError metadata is not valid metadata and was not sent: ${(error as Error)?.message ?? String(error)}`, error);
  }
  if (!fromContext) return extra;
  if (!extra) return fromContext;
  const merged = new Metadata();
  for (const [key, value] of fromContext.entries()) merged.add(key, value);
  for (const [key, value] of extra.entries()) merged.add(key, value);
  return merged;
}

function asMetadata(value: unknown): Metadata | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Metadata) return value;
  if (typeof value !== 'object') throw new FramerpcArgumentError(ErrorCode.INVALID_ARGUMENT, `expected a Metadata or a plain object, got ${typeof value}: pass new Metadata({...}) or { key: value }`);
  return new Metadata(value as Record<string, MetadataValue | MetadataValue[]>);
}
