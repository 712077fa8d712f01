// Call metadata: ASCII keys to string values, or binary values for keys ending in "-bin" (as gRPC).
import { ErrorCode, FramerpcArgumentError } from '../errors';

export type MetadataValue = string | Uint8Array;

const KEY = /^[0-9a-z_.-]{1,255}$/;

/**
 * Key/value pairs sent with a call (caller to handler) and back (response headers and trailers).
 * Keys are lowercase; a key may hold several values; values of keys ending in "-bin" are bytes.
 */
export class Metadata {
  private readonly map = new Map<string, MetadataValue[]>();
  /**
   * @internal The wire form (rpc/metadata-wire.ts), kept until the next change: metadata sent with every
   * call is encoded once. Every change clears it.
   */
  wire: Buffer | undefined;
  private readOnly = false;

  constructor(init?: Record<string, MetadataValue | MetadataValue[]>) {
    if (init)
      for (const [key, value] of Object.entries(init)) {
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
    if (this.readOnly) throw new FramerpcArgumentError(ErrorCode.METADATA_READ_ONLY, 'received metadata is read-only; change a copy: metadata.clone()');
  }

  /** @internal The entries by key, for the wire encoder (rpc/metadata-wire.ts); not to be changed. */
  get entryMap(): ReadonlyMap<string, MetadataValue[]> {
    return this.map;
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
  if (!KEY.test(normalized)) throw new FramerpcArgumentError(ErrorCode.METADATA_KEY, `metadata key ${JSON.stringify(key)} must be 1-255 characters of 0-9 a-z _ . -`);
  const binary = normalized.endsWith('-bin');
  if (binary && typeof value === 'string') throw new FramerpcArgumentError(ErrorCode.METADATA_VALUE, `metadata key ${normalized} ends in -bin, so its value must be a Uint8Array`);
  if (!binary && typeof value !== 'string') throw new FramerpcArgumentError(ErrorCode.METADATA_VALUE, `metadata key ${normalized} holds text; use a key ending in -bin for binary values`);
  return normalized;
}
