// Property: any bytes read as a metadata block either decode (never reading past `end`) or fail with
// RpcError INVALID_ARGUMENT and a reason; every valid Metadata encodes and decodes back to its entries.
import * as fc from 'fast-check';
import { readMetadata } from '../../src/rpc/metadata-wire';
import { RpcError } from '../../src/rpc/rpc-error';
import { Status } from '../../src/rpc/status';
import { MEMORY_SLACK_BYTES, asBuffer, decodeOrError, measure, same, validOrMutated } from '../property-helpers';
import { encodeMetadata, entriesOf, metadataArb } from './rpc-arbitraries';

describe('metadata block property', () => {
  it('arbitrary and damaged blocks: decoded within [offset, end], or INVALID_ARGUMENT; bytes past end never matter', () => {
    const inputArb = fc.oneof(fc.uint8Array({ maxLength: 80 }).map(asBuffer), validOrMutated(metadataArb.map(encodeMetadata)));
    fc.assert(
      fc.property(inputArb, fc.nat({ max: 8 }), fc.uint8Array({ minLength: 1, maxLength: 8 }), (block, at, trailer) => {
        // The block sits at `at` in a larger buffer, followed by bytes that are not the decoder's to read.
        const source = Buffer.concat([Buffer.alloc(at, 0xee), block, trailer]);
        const end = at + block.length;
        const inPlace = decodeOrError(() => readMetadata(source, at, end), RpcError);
        const alone = decodeOrError(() => readMetadata(Buffer.from(block), 0, block.length), RpcError);
        const describe = (r: typeof inPlace, base: number): string =>
          r.ok ? `ok ${entriesOf(r.value.metadata)} ${r.value.offset - base} ${r.value.metadata.isReadOnly}` : `error ${r.error.code} ${r.error.message}`;
        same(describe(inPlace, at), describe(alone, 0));
        if (inPlace.ok) {
          if (inPlace.value.offset > end) throw new Error(`read past end: ${inPlace.value.offset} > ${end}`);
        } else if (inPlace.error.code !== Status.INVALID_ARGUMENT || !inPlace.error.message.startsWith('malformed metadata: ')) {
          throw inPlace.error;
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('round trip: every valid Metadata decodes back to the same entries, and consumes exactly its bytes', () => {
    fc.assert(
      fc.property(metadataArb, (metadata) => {
        const block = encodeMetadata(metadata);
        const { metadata: back, offset } = readMetadata(block, 0, block.length);
        same(`${entriesOf(back)} ${offset}`, `${entriesOf(metadata)} ${block.length}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('huge counts and lengths fail as soon as the bytes run out, without allocating for them', () => {
    // 65535 entries announced, none present; then one entry whose value claims 65535 bytes.
    const inputs = [Buffer.from([0xff, 0xff]), Buffer.from([0xff, 0xff, 3, 0x61, 0x62, 0x63, 0xff, 0xff, 0x78])];
    for (const input of inputs) {
      let error: unknown;
      const { arrayBufferGrowth, elapsedMs } = measure(() => {
        try {
          readMetadata(input, 0, input.length);
        } catch (thrown) {
          error = thrown;
        }
      });
      expect(error).toMatchObject({ code: Status.INVALID_ARGUMENT, message: expect.stringMatching(/^malformed metadata: .* cut off$/) });
      expect(arrayBufferGrowth).toBeLessThan(MEMORY_SLACK_BYTES);
      expect(elapsedMs).toBeLessThan(50);
    }
  });
});
