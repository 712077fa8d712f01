// Decoding messages in place: ts-proto codecs through the shared reader, at an offset, bounded by the length.
import * as protobuf from 'protobufjs';
import { EchoReply, EchoRequest } from '../../generated/echo/echo';
import { Blob } from '../../generated/bench/bulk';
import { messageDecoder } from '../../src/rpc/message-decoder';
import type { MessageCodec } from '../../src/service/service-definition';

/** `message`'s bytes at `offset` of a buffer with other bytes before and after. */
function embedded(bytes: Uint8Array, offset: number, after: Uint8Array): Buffer {
  const buffer = Buffer.alloc(offset + bytes.length + after.length, 0x7f);
  buffer.set(bytes, offset);
  buffer.set(after, offset + bytes.length);
  return buffer;
}

describe('messageDecoder', () => {
  it('decodes a ts-proto message at an offset, reading nothing past its length', () => {
    const decode = messageDecoder(EchoReply);
    const reply = EchoReply.encode({ text: 'héllo', servedBy: 7 }).finish();
    // After the message: a valid field that would change the result if it were read.
    const after = EchoReply.encode({ text: 'other', servedBy: 9 }).finish();
    const source = embedded(reply, 13, after);
    expect(decode(source, 13, reply.length)).toEqual({ text: 'héllo', servedBy: 7 });
    // The next message of the same buffer (the reader is re-aimed, not reused as it was left).
    expect(decode(source, 13 + reply.length, after.length)).toEqual({ text: 'other', servedBy: 9 });
    // A view into a pooled (shared) ArrayBuffer at a non-zero byteOffset.
    const pooled = Buffer.from(Buffer.concat([Buffer.from([1, 2, 3]), Buffer.from(reply)]));
    expect(decode(pooled.subarray(3), 0, reply.length)).toEqual({ text: 'héllo', servedBy: 7 });
  });

  it('throws on a message cut off by its length, and decodes the next one correctly', () => {
    const decode = messageDecoder(EchoRequest);
    const bytes = EchoRequest.encode({ text: 'abcdef' }).finish();
    const source = embedded(bytes, 5, new Uint8Array(16));
    expect(() => decode(source, 5, bytes.length - 2)).toThrow();
    expect(decode(source, 5, bytes.length)).toEqual({ text: 'abcdef' });
    expect(decode(source, 5, 0)).toEqual({ text: '' });
  });

  it('decodes from a large buffer (an assembled message) and from many buffers in turn', () => {
    const decode = messageDecoder(Blob);
    const data = Buffer.alloc(300 * 1024, 0xab);
    const bytes = Blob.encode({ data }).finish();
    const large = embedded(bytes, 100, new Uint8Array(10));
    expect(decode(large, 100, bytes.length).data.equals(data)).toBe(true);
    const small = Blob.encode({ data: Buffer.from([1, 2, 3]) }).finish();
    for (let i = 0; i < 3; i++) expect([...decode(embedded(small, i, new Uint8Array(i)), i, small.length).data]).toEqual([1, 2, 3]);
  });

  it('gives codecs that are not ts-proto a view of exactly the message bytes', () => {
    const seen: number[][] = [];
    const custom: MessageCodec<number[]> = {
      encode: () => ({ finish: () => new Uint8Array(0) }),
      decode: (input) => {
        seen.push([...input]);
        return [...input];
      },
    };
    const decode = messageDecoder(custom);
    expect(decode(Buffer.from([9, 1, 2, 3, 9]), 1, 3)).toEqual([1, 2, 3]);
    expect(seen).toEqual([[1, 2, 3]]); // called once per message: no probe call
    const root = protobuf.parse('syntax = "proto3"; message M { string text = 1; }').root;
    const type = root.lookupType('M') as unknown as MessageCodec<{ text: string }>;
    const bytes = (type as unknown as protobuf.Type).encode({ text: 'pb' }).finish();
    expect(messageDecoder(type)(embedded(bytes, 4, new Uint8Array([1])), 4, bytes.length)).toMatchObject({ text: 'pb' });
  });
});
