// The wire form of call metadata, apart from the Metadata class so that the class does not depend on RpcError
// (which carries Metadata): the encoder throws INVALID_ARGUMENT for oversized values, the decoder for bad bytes.
import { Metadata, type MetadataValue } from './metadata';
import { RpcError } from './rpc-error';
import { Status } from './status';

// Wire form: u16 entry count, then per entry u8 key length, key (ASCII), u16 value length, value.

/** Encoded size of `metadata` (the 2-byte count included). */
export function metadataByteLength(metadata: Metadata | undefined): number {
  return !metadata || metadata.size === 0 ? 2 : wireForm(metadata).length;
}

/** Writes `metadata` at `offset`; returns the offset after it. */
export function writeMetadata(target: Buffer, offset: number, metadata: Metadata | undefined): number {
  if (!metadata || metadata.size === 0) {
    target[offset] = 0;
    target[offset + 1] = 0;
    return offset + 2;
  }
  const wire = wireForm(metadata);
  target.set(wire, offset);
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

/** The encoded block (count and entries), computed once until the metadata changes. */
function wireForm(metadata: Metadata): Buffer {
  metadata.wire ??= encodeMetadataBlock(metadata.entryMap);
  return metadata.wire;
}
