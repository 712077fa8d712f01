// Metadata: the API's key rules, and its wire form (u16 count, then u8 key length, key, u16 value length, value).
import fc from 'fast-check';
import { Metadata } from '../../src/rpc/metadata';
import { metadataByteLength, readMetadata, writeMetadata } from '../../src/rpc/metadata-wire';
import { RpcError } from '../../src/rpc/rpc-error';
import { Status } from '../../src/rpc/status';

function encode(metadata: Metadata | undefined): Buffer {
  const buffer = Buffer.alloc(metadataByteLength(metadata));
  expect(writeMetadata(buffer, 0, metadata)).toBe(buffer.length);
  return buffer;
}

function decode(bytes: Buffer): Metadata {
  const { metadata, offset } = readMetadata(bytes, 0, bytes.length);
  expect(offset).toBe(bytes.length);
  return metadata;
}

function expectMalformed(bytes: Buffer, reason: RegExp): void {
  let caught: unknown;
  try {
    readMetadata(bytes, 0, bytes.length);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(RpcError);
  expect((caught as RpcError).code).toBe(Status.INVALID_ARGUMENT);
  expect((caught as RpcError).message).toMatch(reason);
}

describe('Metadata API', () => {
  test('keys are case-insensitive and stored lowercase; a key may hold several values', () => {
    const md = new Metadata({ 'X-Trace': 'a', multi: ['1', '2'] });
    md.add('MULTI', '3');
    expect(md.get('x-trace')).toBe('a');
    expect(md.getAll('multi')).toEqual(['1', '2', '3']);
    expect([...md.entries()].map(([k]) => k)).toEqual(['x-trace', 'multi', 'multi', 'multi']);
    md.set('multi', '9');
    expect(md.getAll('multi')).toEqual(['9']);
    expect(md.delete('X-TRACE')).toBe(true);
    expect(md.has('x-trace')).toBe(false);
    expect(md.size).toBe(1);
  });

  test('-bin keys take bytes, other keys take text; the errors say which key to use', () => {
    expect(() => new Metadata().set('blob-bin', 'text')).toThrow(/ends in -bin, so its value must be a Uint8Array/);
    expect(() => new Metadata().set('blob', new Uint8Array([1]))).toThrow(/use a key ending in -bin/);
    expect(() => new Metadata().set('bad key', 'x')).toThrow(/must be 1-255 characters/);
    expect(() => new Metadata().set('', 'x')).toThrow(/must be 1-255 characters/);
    expect(() => new Metadata().set('k'.repeat(256), 'x')).toThrow(/must be 1-255 characters/);
  });

  test('toJSON shows binary values as base64', () => {
    const md = new Metadata({ a: 'x', 'b-bin': new Uint8Array([0xde, 0xad]), c: ['1', '2'] });
    expect(md.toJSON()).toEqual({ a: 'x', 'b-bin': '3q0=', c: ['1', '2'] });
  });
});

describe('Metadata wire form', () => {
  test('empty or absent metadata is a zero count', () => {
    expect(encode(undefined)).toEqual(Buffer.from([0, 0]));
    expect(encode(new Metadata())).toEqual(Buffer.from([0, 0]));
    expect(decode(Buffer.from([0, 0])).size).toBe(0);
  });

  test('exact bytes of one text entry', () => {
    expect(encode(new Metadata({ ab: 'xyz' }))).toEqual(Buffer.from([0, 1, 2, 0x61, 0x62, 0, 3, 0x78, 0x79, 0x7a]));
  });

  test('round trip: text (UTF-8), repeated keys, -bin bytes (all 256 byte values), empty values', () => {
    const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const md = new Metadata({ text: 'héllo ✓', rep: ['1', '2'], 'raw-bin': allBytes, 'empty-bin': new Uint8Array(0), blank: '' });
    const back = decode(encode(md));
    expect(back.get('text')).toBe('héllo ✓');
    expect(back.getAll('rep')).toEqual(['1', '2']);
    expect(Buffer.from(back.get('raw-bin') as Uint8Array)).toEqual(Buffer.from(allBytes));
    expect((back.get('empty-bin') as Uint8Array).length).toBe(0);
    expect(back.get('blank')).toBe('');
    expect([...back.entries()].length).toBe(6);
  });

  test('a decoded -bin value is a copy, not a view of the frame', () => {
    const bytes = encode(new Metadata({ 'k-bin': new Uint8Array([1, 2, 3]) }));
    const back = decode(bytes);
    bytes.fill(0);
    expect([...(back.get('k-bin') as Uint8Array)]).toEqual([1, 2, 3]);
  });

  test('reads at an offset inside a larger buffer and stops at its end', () => {
    const inner = encode(new Metadata({ a: '1' }));
    const outer = Buffer.concat([Buffer.from([9, 9, 9]), inner, Buffer.from([7, 7])]);
    const { metadata, offset } = readMetadata(outer, 3, outer.length);
    expect(metadata.get('a')).toBe('1');
    expect(offset).toBe(3 + inner.length);
  });

  test('a value longer than 65535 bytes cannot be encoded (refused before anything is written)', () => {
    const md = new Metadata({ big: 'x'.repeat(65_536) });
    const refusal = expect.objectContaining({ code: Status.INVALID_ARGUMENT, message: expect.stringMatching(/longer than 65535 bytes/) });
    expect(() => metadataByteLength(md)).toThrow(refusal);
    expect(() => writeMetadata(Buffer.alloc(70_000), 0, md)).toThrow(refusal);
  });

  test('the wire form is encoded once and re-encoded after a change', () => {
    const md = new Metadata({ user: 'ada' });
    const first = Buffer.alloc(metadataByteLength(md));
    writeMetadata(first, 0, md);
    md.add('user', 'grace');
    const second = Buffer.alloc(metadataByteLength(md));
    writeMetadata(second, 0, md);
    expect(readMetadata(first, 0, first.length).metadata.getAll('user')).toEqual(['ada']);
    expect(readMetadata(second, 0, second.length).metadata.getAll('user')).toEqual(['ada', 'grace']);
  });

  describe('malformed input is INVALID_ARGUMENT naming what is wrong', () => {
    test('count cut off', () => expectMalformed(Buffer.from([0]), /count is cut off/));
    test('key length cut off', () => expectMalformed(Buffer.from([0, 1]), /key length is cut off/));
    test('key cut off', () => expectMalformed(Buffer.from([0, 1, 5, 0x61]), /key is cut off/));
    test('value length cut off', () => expectMalformed(Buffer.from([0, 1, 1, 0x61, 0]), /key is cut off/));
    test('value cut off', () => expectMalformed(Buffer.from([0, 1, 1, 0x61, 0, 4, 0x62]), /value of a is cut off/));
    test('count larger than the entries present', () => expectMalformed(Buffer.from([0, 2, 1, 0x61, 0, 0]), /key length is cut off/));
    test('a key with a forbidden character', () => expectMalformed(Buffer.from([0, 1, 2, 0x61, 0x20, 0, 0]), /must be 1-255 characters/));
    test('an empty key', () => expectMalformed(Buffer.from([0, 1, 0, 0, 0]), /must be 1-255 characters/));
    test('every truncation of a valid encoding fails cleanly', () => {
      const full = encode(new Metadata({ alpha: 'one', 'beta-bin': new Uint8Array([1, 2]) }));
      for (let cut = 0; cut < full.length; cut++) {
        expect(() => readMetadata(full, 0, cut)).toThrow(RpcError);
      }
    });
  });

  test('property: random bytes either decode or throw INVALID_ARGUMENT, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const buffer = Buffer.from(bytes);
        try {
          const { offset } = readMetadata(buffer, 0, buffer.length);
          return offset <= buffer.length;
        } catch (error) {
          return error instanceof RpcError && error.code === Status.INVALID_ARGUMENT;
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('property: any valid metadata round-trips', () => {
    const key = fc.stringMatching(/^[0-9a-z_.-]{1,20}$/);
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.string({ maxLength: 30 }), fc.uint8Array({ maxLength: 30 })), { maxLength: 8 }), (entries) => {
        const md = new Metadata();
        for (const [k, text, bytes] of entries) {
          if (k.endsWith('-bin')) md.add(k, bytes);
          else md.add(k, text);
        }
        const back = decode(encode(md));
        const norm = (m: Metadata) => [...m.entries()].map(([k, v]) => [k, typeof v === 'string' ? v : Buffer.from(v).toString('hex')]);
        expect(norm(back)).toEqual(norm(md));
      }),
      { numRuns: 300 },
    );
  });
});

describe('received metadata', () => {
  test('is read-only, and clone() gives a writable copy', () => {
    const block = Buffer.alloc(metadataByteLength(new Metadata({ user: 'ada' })));
    writeMetadata(block, 0, new Metadata({ user: 'ada' }));
    const received = readMetadata(block, 0, block.length).metadata;
    expect(received.isReadOnly).toBe(true);
    expect(() => received.set('user', 'eve')).toThrow(/read-only; change a copy: metadata.clone\(\)/);
    expect(() => received.delete('user')).toThrow(/read-only/);
    const copy = received.clone().set('user', 'eve');
    expect(copy.get('user')).toBe('eve');
    expect(received.get('user')).toBe('ada');
  });
});
