// Small codecs of the wire format: preface, GOAWAY payload, XOR obfuscation, encodeFrame, options.
import { inflateSync } from 'node:zlib';
import {
  CloseCode,
  FRAME_HEADER_BYTES,
  FrameError,
  FrameFlag,
  FrameKind,
  PREFACE_BYTES,
  PROTOCOL_VERSION,
  Role,
  decodeGoaway,
  decodePreface,
  encodeFrame,
  encodeGoaway,
  encodePreface,
  resolveTransportOptions,
  xorInPlace,
} from '../../src/transport';
import { MAX_REASON_BYTES } from '../../src/codec/goaway';
import { checkObfuscation } from '../../src/codec/preface';
import { xorKeyCheck } from '../../src/transport/xor-key';

describe('preface', () => {
  it('round-trips and is exactly PREFACE_BYTES long', () => {
    const preface = { version: PROTOCOL_VERSION, features: 3, role: Role.SERVER, keyCheck: 0xdeadbeef, connectionWindow: 8 << 20, streamWindow: 1 << 20 };
    const bytes = Buffer.from(encodePreface(preface));
    expect(bytes).toHaveLength(PREFACE_BYTES);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('FRPC');
    expect(decodePreface(bytes)).toEqual(preface);
  });

  it('names the role a side expected when the peer is of the same role (an echo server reflects the client)', () => {
    const client = encodePreface({ version: PROTOCOL_VERSION, features: 0, role: Role.CLIENT, keyCheck: 0, connectionWindow: 1, streamWindow: 1 });
    expect(() => decodePreface(client, Role.SERVER)).toThrow(/expected a server's preface, got a client's/);
    expect(decodePreface(client, Role.CLIENT).role).toBe(Role.CLIENT);
  });

  it('accepts matching keys and no keys, refuses the rest with HANDSHAKE_FAILED', () => {
    const base = { version: PROTOCOL_VERSION, role: Role.CLIENT, connectionWindow: 1, streamWindow: 1 };
    const keyed = (key: string) => ({ ...base, features: 0b10, keyCheck: xorKeyCheck(Buffer.from(key)) });
    const plain = { ...base, features: 0, keyCheck: 0 };
    expect(() => checkObfuscation(keyed('a'), keyed('a'), 'server')).not.toThrow();
    expect(() => checkObfuscation(plain, plain, 'server')).not.toThrow();
    for (const [ours, theirs] of [
      [keyed('a'), keyed('b')],
      [keyed('a'), plain],
      [plain, keyed('a')],
    ]) {
      expect(() => checkObfuscation(ours, theirs, 'server')).toThrow(FrameError);
    }
    expect(xorKeyCheck(undefined)).toBe(0);
  });
});

describe('GOAWAY payload', () => {
  it('round-trips code and reason and caps long reasons', () => {
    expect(decodeGoaway(encodeGoaway(CloseCode.TIMEOUT, 'slow ✓'))).toEqual({ code: CloseCode.TIMEOUT, lastCallId: 0, reason: 'slow ✓' });
    expect(decodeGoaway(encodeGoaway(CloseCode.SHUTTING_DOWN, 'bye', 0xffff_fffe))).toEqual({ code: CloseCode.SHUTTING_DOWN, lastCallId: 0xffff_fffe, reason: 'bye' });
    expect(encodeGoaway(1, 'x'.repeat(10_000))).toHaveLength(6 + MAX_REASON_BYTES);
    expect(() => decodeGoaway(Buffer.alloc(5))).toThrow(/shorter than its 6-byte code and last call id/);
  });
});

describe('XOR obfuscation and encodeFrame', () => {
  it('restores the payload when applied twice', () => {
    const original = Buffer.from('obfuscation is not encryption');
    const bytes = Buffer.from(original);
    xorInPlace(bytes, Buffer.from('key'));
    expect(bytes.equals(original)).toBe(false);
    xorInPlace(bytes, Buffer.from('key'));
    expect(bytes.equals(original)).toBe(true);
  });

  it('compresses above the threshold, then obfuscates, and sets both flags', () => {
    const key = Buffer.from('k');
    const payload = Buffer.from('abc'.repeat(1000));
    const frame = encodeFrame(FrameKind.PUSH, FrameFlag.END_STREAM, 42, payload, { compressMinBytes: 100, compressionLevel: 6, xorKey: key });
    expect(frame[4]).toBe(FrameKind.PUSH);
    expect(frame[5]).toBe(FrameFlag.END_STREAM | FrameFlag.COMPRESSED | FrameFlag.OBFUSCATED);
    expect(frame.readUInt32BE(6)).toBe(42);
    const body = Buffer.from(frame.subarray(FRAME_HEADER_BYTES));
    expect(frame.readUInt32BE(0)).toBe(body.length);
    xorInPlace(body, key);
    expect(inflateSync(body).equals(payload)).toBe(true);
    const small = encodeFrame(FrameKind.DATA, 0, 1, Buffer.from('tiny'), { compressMinBytes: 100, compressionLevel: 6, xorKey: undefined });
    expect(small.equals(Buffer.concat([Buffer.from([0, 0, 0, 4, FrameKind.DATA, 0, 0, 0, 0, 1]), Buffer.from('tiny')]))).toBe(true);
  });
});

describe('resolveTransportOptions', () => {
  it('fills defaults and keeps given values', () => {
    const options = resolveTransportOptions({ maxFrameBytes: 1000, xorKey: undefined });
    expect(options.maxFrameBytes).toBe(1000);
    expect(options.handshakeTimeoutMs).toBe(5000);
  });

  it.each([
    [{ handshakeTimeoutMs: -1 }, 'handshakeTimeoutMs'],
    [{ frameTimeoutMs: Number.NaN }, 'frameTimeoutMs'],
    [{ maxFrameBytes: 0 }, 'maxFrameBytes'],
    [{ maxFrameBytes: 2 ** 32 }, 'maxFrameBytes'],
    [{ maxOutboundBytes: 1.5 }, 'maxOutboundBytes'],
    [{ maxOutboundBytes: 100, outboundHighWaterBytes: 200 }, 'outboundHighWaterBytes'],
    [{ compressionLevel: 10 }, 'compressionLevel'],
    [{ xorKey: Buffer.alloc(0) }, 'xorKey'],
  ])('rejects %p naming %s', (partial, field) => {
    expect(() => resolveTransportOptions(partial)).toThrow(new RegExp(`transport option ${field}`));
  });
});

describe('GOAWAY reason', () => {
  it('is cut at 512 bytes on a character boundary, never inside a UTF-8 sequence', () => {
    const reason = `${'a'.repeat(511)}é and more`; // é is 2 bytes, starting at byte 511
    const decoded = decodeGoaway(encodeGoaway(1, reason));
    expect(decoded.reason).toBe('a'.repeat(511));
  });
});
