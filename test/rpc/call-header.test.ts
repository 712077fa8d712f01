// The CALL payload: u32 timeout ms, u8 flags, u8 method length, method, metadata, [request message].
import { CallFlag, decodeCallHeader, encodeCallHeader, newMetadataCache } from '../../src/rpc/call-header';
import { Metadata } from '../../src/rpc/metadata';
import { RpcError } from '../../src/rpc/rpc-error';
import { Status } from '../../src/rpc/status';

const METHOD = Buffer.from('/test.v1.TestService/Unary', 'latin1');

function expectInvalid(payload: Buffer, reason: RegExp): void {
  let caught: unknown;
  try {
    decodeCallHeader(payload);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(RpcError);
  expect(caught).toMatchObject({ code: Status.INVALID_ARGUMENT });
  expect((caught as Error).message).toMatch(reason);
}

describe('CALL header codec', () => {
  test('exact bytes without metadata or message', () => {
    const payload = encodeCallHeader(Buffer.from('/a/B'), 1500, undefined, undefined);
    expect(payload).toEqual(Buffer.from([0, 0, 0x05, 0xdc, 0, 4, ...Buffer.from('/a/B'), 0, 0]));
  });

  test('round trip with timeout, metadata and message', () => {
    const metadata = new Metadata({ auth: 'token', 'trace-bin': new Uint8Array([1, 2, 3]) });
    const message = Uint8Array.from([10, 2, 104, 105]);
    const header = decodeCallHeader(encodeCallHeader(METHOD, 250, metadata, message));
    expect(header.timeoutMs).toBe(250);
    expect(header.method).toBe('/test.v1.TestService/Unary');
    expect(header.metadata.get('auth')).toBe('token');
    expect([...(header.metadata.get('trace-bin') as Uint8Array)]).toEqual([1, 2, 3]);
    expect([...(header.message as Buffer)]).toEqual([...message]);
  });

  test('no message means undefined; an empty message (e.g. an Empty request) is present and empty', () => {
    expect(decodeCallHeader(encodeCallHeader(METHOD, 0, undefined, undefined)).message).toBeUndefined();
    const empty = encodeCallHeader(METHOD, 0, undefined, new Uint8Array(0));
    expect(empty[4] & CallFlag.HAS_MESSAGE).toBe(CallFlag.HAS_MESSAGE);
    expect(decodeCallHeader(empty).message).toEqual(Buffer.alloc(0));
  });

  test('timeouts are whole ms rounded up, clamped to u32, negative means none', () => {
    expect(decodeCallHeader(encodeCallHeader(METHOD, 0.2, undefined, undefined)).timeoutMs).toBe(1);
    expect(decodeCallHeader(encodeCallHeader(METHOD, 2 ** 40, undefined, undefined)).timeoutMs).toBe(0xffff_ffff);
    expect(decodeCallHeader(encodeCallHeader(METHOD, -5, undefined, undefined)).timeoutMs).toBe(0);
  });

  test('a call without metadata decodes to an empty Metadata', () => {
    expect(decodeCallHeader(encodeCallHeader(METHOD, 0, new Metadata(), undefined)).metadata.size).toBe(0);
  });

  describe('malformed CALL payloads are INVALID_ARGUMENT', () => {
    test('shorter than the fixed header', () => expectInvalid(Buffer.from([0, 0, 0, 0, 0]), /shorter than its 6-byte header/));
    test('method cut off', () => expectInvalid(Buffer.from([0, 0, 0, 0, 0, 10, 0x2f]), /method name is cut off/));
    test('metadata count missing', () => expectInvalid(Buffer.from([0, 0, 0, 0, 0, 1, 0x2f, 0]), /metadata is cut off/));
    test('metadata entries cut off', () => expectInvalid(Buffer.from([0, 0, 0, 0, 0, 1, 0x2f, 0, 1, 3, 0x61]), /malformed metadata/));
    test('every truncation of a valid payload with metadata fails cleanly', () => {
      const full = encodeCallHeader(METHOD, 10, new Metadata({ k: 'v' }), undefined);
      for (let cut = 0; cut < full.length; cut++) expect(() => decodeCallHeader(full.subarray(0, cut))).toThrow(RpcError);
    });
  });
});

describe('CALL metadata cache', () => {
  test('decodes a repeated metadata block once per connection, and a different one afresh', () => {
    const path = Buffer.from('/test.v1.TestService/Unary');
    const cache = newMetadataCache();
    const first = decodeCallHeader(encodeCallHeader(path, 0, new Metadata({ token: 'a' }), undefined), cache);
    const second = decodeCallHeader(encodeCallHeader(path, 0, new Metadata({ token: 'a' }), Buffer.from([8, 1])), cache);
    const third = decodeCallHeader(encodeCallHeader(path, 0, new Metadata({ token: 'b' }), undefined), cache);
    expect(second.metadata).toBe(first.metadata);
    expect(second.message).toEqual(Buffer.from([8, 1]));
    expect(third.metadata).not.toBe(first.metadata);
    expect(third.metadata.get('token')).toBe('b');
  });
});
