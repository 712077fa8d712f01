// Call metadata: ASCII keys to string values, or binary values for keys ending in "-bin" (as gRPC).
import { RpcError } from './rpc-error';
import { Status } from './status';

export type MetadataValue = string | Uint8Array;

const KEY = /^[0-9a-z_.-]{1,255}$/;

/**
 * Key/value pairs sent with a call (caller to handler) and back (response headers and trailers).
 * Keys are lowercase; a key may hold several values; values of keys ending in "-bin" are bytes.
 */
export class Metadata {
  private readonly map = new Map<string, MetadataValue[]>();

  constructor(init?: Record<string, MetadataValue | MetadataValue[]>) {
    if (init) for (const [key, value] of Object.entries(init)) {
      for (const item of Array.isArray(value) ? value : [value]) this.add(key, item);
    }
  }

  /** Replaces every value of `key`. */
  set(key: string, value: MetadataValue): this {
    const normalized = checkEntry(key, value);
    this.map.set(normalized, [value]);
    return this;
  }

  /** Adds a value to `key`. */
  add(key: string, value: MetadataValue): this {
    const normalized = checkEntry(key, value);
    const values = this.map.get(normalized);
    if (values) values.push(value);
    else this.map.set(normalized, [value]);
    return this;
  }

  /** The first value of `key`. */
  get(key: string): MetadataValue | undefined {
    return this.map.get(key.toLowerCase())?.[0];
  }

  /** Every value of `key`. */
  getAll(key: string): MetadataValue[] {
    return this.map.get(key.toLowerCase()) ?? [];
  }

  has(key: string): boolean {
    return this.map.has(key.toLowerCase());
  }

  delete(key: string): boolean {
    return this.map.delete(key.toLowerCase());
  }

  get size(): number {
    return this.map.size;
  }

  /** [key, value] for every value, in insertion order. */
  *entries(): IterableIterator<[string, MetadataValue]> {
    for (const [key, values] of this.map) for (const value of values) yield [key, value];
  }

  /** A plain object for logging: binary values as base64. */
  toJSON(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const [key, values] of this.map) {
      const texts = values.map((v) => (typeof v === 'string' ? v : Buffer.from(v).toString('base64')));
      out[key] = texts.length === 1 ? texts[0] : texts;
    }
    return out;
  }
}

function checkEntry(key: string, value: MetadataValue): string {
  const normalized = key.toLowerCase();
  if (!KEY.test(normalized)) throw new TypeError(`metadata key ${JSON.stringify(key)} must be 1-255 characters of 0-9 a-z _ . -`);
  const binary = normalized.endsWith('-bin');
  if (binary && typeof value === 'string') throw new TypeError(`metadata key ${normalized} ends in -bin, so its value must be a Uint8Array`);
  if (!binary && typeof value !== 'string') throw new TypeError(`metadata key ${normalized} holds text; use a key ending in -bin for binary values`);
  return normalized;
}

// Wire form: u16 entry count, then per entry u8 key length, key (ASCII), u16 value length, value.

/** Encoded size of `metadata` (the 2-byte count included). */
export function metadataByteLength(metadata: Metadata | undefined): number {
  if (!metadata || metadata.size === 0) return 2;
  let bytes = 2;
  for (const [key, value] of metadata.entries()) {
    bytes += 1 + key.length + 2 + (typeof value === 'string' ? Buffer.byteLength(value) : value.length);
  }
  return bytes;
}

/** Writes `metadata` at `offset`; returns the offset after it. */
export function writeMetadata(target: Buffer, offset: number, metadata: Metadata | undefined): number {
  if (!metadata || metadata.size === 0) {
    target[offset] = 0;
    target[offset + 1] = 0;
    return offset + 2;
  }
  const countAt = offset;
  let count = 0;
  offset += 2;
  for (const [key, value] of metadata.entries()) {
    target[offset++] = key.length;
    offset += target.write(key, offset, 'latin1');
    const lengthAt = offset;
    offset += 2;
    const length = typeof value === 'string' ? target.write(value, offset, 'utf8') : (target.set(value, offset), value.length);
    if (length > 0xffff) throw new RpcError(Status.INVALID_ARGUMENT, `metadata value of ${key} is longer than 65535 bytes`);
    target.writeUInt16BE(length, lengthAt);
    offset += length;
    count++;
  }
  target.writeUInt16BE(count, countAt);
  return offset;
}

/** Reads metadata at `offset` of `source`; returns it and the offset after it. Throws RpcError INVALID_ARGUMENT when malformed. */
export function readMetadata(source: Buffer, offset: number, end: number): { metadata: Metadata; offset: number } {
  const metadata = new Metadata();
  if (offset + 2 > end) throw malformed('metadata count is cut off');
  const count = source.readUInt16BE(offset);
  offset += 2;
  for (let i = 0; i < count; i++) {
    if (offset + 1 > end) throw malformed('metadata key length is cut off');
    const keyLength = source[offset++];
    if (offset + keyLength + 2 > end) throw malformed('metadata key is cut off');
    const key = source.toString('latin1', offset, offset + keyLength);
    offset += keyLength;
    const valueLength = source.readUInt16BE(offset);
    offset += 2;
    if (offset + valueLength > end) throw malformed(`metadata value of ${key} is cut off`);
    const value = key.endsWith('-bin') ? Buffer.from(source.subarray(offset, offset + valueLength)) : source.toString('utf8', offset, offset + valueLength);
    offset += valueLength;
    try {
      metadata.add(key, value);
    } catch (error) {
      throw malformed((error as Error).message);
    }
  }
  return { metadata, offset };
}

function malformed(reason: string): RpcError {
  return new RpcError(Status.INVALID_ARGUMENT, `malformed metadata: ${reason}`);
}
