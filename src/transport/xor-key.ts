// The one conversion of the `xorKey` option to the bytes used by both the key check and the XOR, and the key check.
import { createHash } from 'node:crypto';
import { FramerpcOptionError } from '../errors';

/**
 * Returns the key's bytes: a Uint8Array is copied (so later changes by the caller cannot desynchronise
 * the two sides), a string is its UTF-8 bytes. Anything else is a TypeError naming the field.
 */
export function xorKeyBytes(value: unknown): Buffer | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof Uint8Array) return Buffer.from(value);
  throw new FramerpcOptionError('xorKey', `transport option xorKey must be a Uint8Array or a string (its UTF-8 bytes), got ${value === null ? 'null' : typeof value}`);
}

/** The preface's key check: the first 4 bytes of SHA-256(key) as u32, 0 when there is no key. */
export function xorKeyCheck(key: Uint8Array | undefined): number {
  if (!key || key.length === 0) return 0;
  return createHash('sha256').update(key).digest().readUInt32BE(0);
}
