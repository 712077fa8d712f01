// Generators shared by the RPC decoders' property tests: valid metadata, and comparable forms of it.
import * as fc from 'fast-check';
import { Metadata, type MetadataValue } from '../../src/rpc/metadata';
import { metadataByteLength, writeMetadata } from '../../src/rpc/metadata-wire';

const keyChars = '0123456789abcdefghijklmnopqrstuvwxyz_.-'.split('');
const textKeyArb = fc.string({ unit: fc.constantFrom(...keyChars), minLength: 1, maxLength: 20 }).filter((key) => !key.endsWith('-bin'));
const entryArb: fc.Arbitrary<[string, MetadataValue]> = fc.oneof(
  fc.tuple(textKeyArb, fc.string({ unit: 'grapheme', maxLength: 40 })),
  fc.tuple(
    textKeyArb.map((key) => `${key.slice(0, 16)}-bin`),
    fc.uint8Array({ maxLength: 40 }),
  ),
);
/** Valid metadata: text keys with text values, "-bin" keys with bytes, repeated keys allowed. */
export const metadataArb: fc.Arbitrary<Metadata> = fc.array(entryArb, { maxLength: 6 }).map((entries) => {
  const metadata = new Metadata();
  for (const [key, value] of entries) metadata.add(key, value);
  return metadata;
});

/** A comparable form of a metadata's entries (binary values as hex). */
export function entriesOf(metadata: Metadata): string {
  return JSON.stringify([...metadata.entries()].map(([key, value]) => [key, typeof value === 'string' ? value : `0x${Buffer.from(value).toString('hex')}`]));
}

/** The wire form of `metadata` (count and entries). */
export function encodeMetadata(metadata: Metadata): Buffer {
  const block = Buffer.alloc(metadataByteLength(metadata));
  writeMetadata(block, 0, metadata);
  return block;
}

/** A method path as a client sends it: printable ASCII, up to the 255 bytes its length byte allows. */
export const methodArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('/echo.v1.EchoService/Echo', '/test.v1.TestService/Unary', ''),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 255 }),
);

/** An optional message body (protobuf bytes, possibly empty). */
export const messageArb: fc.Arbitrary<Uint8Array | undefined> = fc.option(fc.uint8Array({ maxLength: 60 }), { nil: undefined });
