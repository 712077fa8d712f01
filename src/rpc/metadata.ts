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
  // The wire form, kept until the next change: metadata sent with every call is encoded once.
  private wire: Buffer | undefined;
  private readOnly = false;

  constructor(init?: Record<string, MetadataValue | MetadataValue[]>) {
    if (init) for (const [key, value] of Object.entries(init)) {
      for (const item of Array.isArray(value) ? value : [value]) this.add(key, item);
    }
  }

  /** Replaces every value of `key`. */
  set(key: string, value: MetadataValue): this {
    this.checkWritable();
    const normalized = checkEntry(key, value);
    this.map.set(normalized, [value]);
    this.wire = undefined;
    return this;
  }

  /** Adds a value to `key`. */
  add(key: string, value: MetadataValue): this {
    this.checkWritable();
    const normalized = checkEntry(key, value);
    const values = this.map.get(normalized);
    if (values) values.push(value);
    else this.map.set(normalized, [value]);
    this.wire = undefined;
    return this;
  }

  /** The first value of `key`. */
  get(key: string): MetadataValue | undefined {
    return this.map.get(key.toLowerCase())?.[0];
  }

  /** Every value of `key` (a copy). */
  getAll(key: string): MetadataValue[] {
    return [...(this.map.get(key.toLowerCase()) ?? [])];
  }

  has(key: string): boolean {
    return this.map.has(key.toLowerCase());
  }

  delete(key: string): boolean {
    this.checkWritable();
    this.wire = undefined;
    return this.map.delete(key.toLowerCase());
  }

  /** A writable copy. */
  clone(): Metadata {
    const copy = new Metadata();
    for (const [key, values] of this.map) copy.map.set(key, [...values]);
    return copy;
  }

  /** True for metadata received from the peer, which may be shared between calls: `clone()` it to change it. */
  get isReadOnly(): boolean {
    return this.readOnly;
  }

  /** @internal Makes this instance read-only (received metadata, shared by calls that sent the same bytes). */
  freeze(): this {
    this.readOnly = true;
    return this;
  }

  private checkWritable(): void {
    if (this.readOnly) throw new TypeError('received metadata is read-only; change a copy: metadata.clone()');
  }

  /** @internal The encoded block (count and entries), computed once until the metadata changes. */
  wireForm(): Buffer {
    this.wire ??= encodeMetadataBlock(this.map);
    return this.wire;
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
  return !metadata || metadata.size === 0 ? 2 : metadata.wireForm().length;
}

/** Writes `metadata` at `offset`; returns the offset after it. */
export function writeMetadata(target: Buffer, offset: number, metadata: Metadata | undefined): number {
  if (!metadata || metadata.size === 0) {
    target[offset] = 0;
    target[offset + 1] = 0;
    return offset + 2;
  }
  const wire = metadata.wireForm();
  wire.copy(target, offset);
  return offset + wire.length;
}

/** Encodes a metadata map; throws INVALID_ARGUMENT for a value over 65535 bytes or over 65535 values. */
function encodeMetadataBlock(map: ReadonlyMap<string, MetadataValue[]>): Buffer {
  let length = 2;
  let count = 0;
  for (const [key, values] of map) {
    for (const value of values) {
      const valueLength = typeof value === 'string' ? Buffer.byteLength(value) : value.length;
      if (valueLength > 0xffff) throw new RpcError(Status.INVALID_ARGUMENT, `metadata value of ${key} is longer than 65535 bytes`);
      length += 3 + key.length + valueLength;
      count++;
    }
  }
  if (count > 0xffff) throw new RpcError(Status.INVALID_ARGUMENT, `metadata has ${count} values, more than 65535`);
  const block = Buffer.allocUnsafe(length);
  block.writeUInt16BE(count, 0);
  let offset = 2;
  for (const [key, values] of map) {
    for (const value of values) {
      block[offset++] = key.length;
      offset += block.write(key, offset, 'latin1');
      const valueLength = typeof value === 'string' ? Buffer.byteLength(value) : value.length;
      block.writeUInt16BE(valueLength, offset);
      offset += 2;
      if (typeof value === 'string') block.write(value, offset, 'utf8');
      else block.set(value, offset);
      offset += valueLength;
    }
  }
  return block;
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
  return { metadata: metadata.freeze(), offset };
}

function malformed(reason: string): RpcError {
  return new RpcError(Status.INVALID_ARGUMENT, `malformed metadata: ${reason}`);
}
