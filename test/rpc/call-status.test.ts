// The STATUS payload: u8 code, u8 flags, u16+text, u16+details, trailers, [response message].
import { OK_WITH_MESSAGE_PREFIX, StatusFlag, decodeCallStatus, encodeCallStatus } from '../../src/rpc/call-status';
import { Metadata } from '../../src/rpc/metadata';
import { RpcError } from '../../src/rpc/rpc-error';
import { Status, isStatus, statusName } from '../../src/rpc/status';

describe('STATUS codec', () => {
  test('an OK reply without trailers takes the fixed 8-byte prefix', () => {
    const payload = encodeCallStatus(Status.OK, '', '', undefined, Uint8Array.from([1, 2]));
    expect(payload).toEqual(Buffer.concat([OK_WITH_MESSAGE_PREFIX, Buffer.from([1, 2])]));
    const status = decodeCallStatus(payload);
    expect(status).toMatchObject({ code: Status.OK, text: '', details: '' });
    expect(status.trailers.size).toBe(0);
    expect([...(status.message as Buffer)]).toEqual([1, 2]);
  });

  test('exact bytes of an error status without trailers', () => {
    expect(encodeCallStatus(Status.NOT_FOUND, 'no', 'd', undefined, undefined)).toEqual(Buffer.from([5, 0, 0, 2, 0x6e, 0x6f, 0, 1, 0x64, 0, 0]));
  });

  test('round trip: code, UTF-8 text and details, trailers (text and -bin), message', () => {
    const trailers = new Metadata({ retry: '3', 'why-bin': new Uint8Array([0, 255]) });
    const status = decodeCallStatus(encodeCallStatus(Status.RESOURCE_EXHAUSTED, 'zu viel ✗', '{"limit":1}', trailers, Uint8Array.from([9])));
    expect(status.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(status.text).toBe('zu viel ✗');
    expect(status.details).toBe('{"limit":1}');
    expect(status.trailers.get('retry')).toBe('3');
    expect([...(status.trailers.get('why-bin') as Uint8Array)]).toEqual([0, 255]);
    expect([...(status.message as Buffer)]).toEqual([9]);
  });

  test('an OK end of stream carries no message; an empty response is present and empty', () => {
    expect(decodeCallStatus(encodeCallStatus(Status.OK, '', '', undefined, undefined)).message).toBeUndefined();
    const empty = encodeCallStatus(Status.OK, '', '', undefined, new Uint8Array(0));
    expect(empty[1] & StatusFlag.HAS_MESSAGE).toBe(StatusFlag.HAS_MESSAGE);
    expect(decodeCallStatus(empty).message).toEqual(Buffer.alloc(0));
  });

  test('text and details longer than 65535 bytes are cut to fit their u16 length', () => {
    const status = decodeCallStatus(encodeCallStatus(Status.INTERNAL, 'x'.repeat(70_000), 'y'.repeat(70_000), undefined, undefined));
    expect(status.text.length).toBe(0xffff);
    expect(status.details.length).toBe(0xffff);
  });

  describe('malformed STATUS payloads are INTERNAL (the server broke the protocol)', () => {
    const valid = encodeCallStatus(Status.ABORTED, 'text', 'details', new Metadata({ k: 'v' }), undefined);
    test('every truncation fails with an RpcError INTERNAL', () => {
      for (let cut = 0; cut < valid.length; cut++) {
        let caught: unknown;
        try {
          decodeCallStatus(valid.subarray(0, cut));
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(RpcError);
        expect((caught as RpcError).code).toBe(Status.INTERNAL);
      }
    });
    test('a text length past the end', () => {
      expect(() => decodeCallStatus(Buffer.from([2, 0, 0xff, 0xff, 0, 0, 0, 0]))).toThrow(/cut off/);
    });
  });
});

describe('status codes', () => {
  test('the 17 gRPC codes with their names', () => {
    expect(Object.keys(Status)).toHaveLength(17);
    expect(statusName(Status.DEADLINE_EXCEEDED)).toBe('DEADLINE_EXCEEDED');
    expect(statusName(99)).toBe('CODE_99');
    expect(isStatus(16)).toBe(true);
    expect(isStatus(17)).toBe(false);
  });

  test('RpcError keeps code, details and trailers; forCaller names the method and code', () => {
    const trailers = new Metadata({ a: 'b' });
    const error = new RpcError(Status.NOT_FOUND, 'gone', { details: 'x', metadata: trailers });
    expect(error).toMatchObject({ name: 'RpcError', code: Status.NOT_FOUND, details: 'x', codeName: 'NOT_FOUND', method: '' });
    expect(error.metadata).toBe(trailers);
    const atCaller = RpcError.forCaller('/p.S/M', Status.NOT_FOUND, 'gone', 'x', trailers);
    expect(atCaller.message).toBe('/p.S/M failed with NOT_FOUND: gone');
    expect(atCaller).toMatchObject({ method: '/p.S/M', code: Status.NOT_FOUND, details: 'x' });
    expect(atCaller.metadata).toBe(trailers);
  });
});
