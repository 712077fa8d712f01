// Property, over real sockets: after the handshake, any sequence of whole frames (any kind, any flags,
// arbitrary or damaged payloads) followed by a PING either gets the PONG (the connection carries on) or
// closes the connection with a GOAWAY naming a protocol violation and, as its last accepted call id, 0 or
// the id of a CALL the peer sent; never an internal error, never silence.
import * as fc from 'fast-check';
import { deflateSync } from 'node:zlib';
import { EchoRequest, EchoStreamRequest } from '../../generated/echo/echo';
import type { RpcServer } from '../../src';
import { encodeCallHeader } from '../../src/rpc/call-header';
import { CloseCode, FrameFlag, FrameKind, KNOWN_FLAGS, decodeGoaway, encodePreface } from '../../src/transport';
import { writeFrameHeader } from '../../src/codec/frame-header';
import { FRAME_HEADER_BYTES, PROTOCOL_VERSION, Role } from '../../src/codec/wire';
import { startConformanceServer } from '../conformance/conformance-server';
import { VectorPeer } from '../conformance/vector-peer';
import { MEMORY_SLACK_BYTES, asBuffer, same, validOrMutated } from '../property-helpers';

const PING = Buffer.from('feedfacecafebeef', 'hex');
const call = (path: string, message: Uint8Array): Buffer => encodeCallHeader(Buffer.from(path, 'latin1'), 0, undefined, message);
const payloadArb = fc.oneof(
  fc.uint8Array({ maxLength: 16 }).map(asBuffer),
  validOrMutated(fc.string({ maxLength: 8 }).map((text) => call('/echo.v1.EchoService/Echo', EchoRequest.encode({ text }).finish()))),
  validOrMutated(fc.nat({ max: 5 }).map((count) => call('/echo.v1.EchoService/EchoStream', EchoStreamRequest.encode({ text: 's', count }).finish()))),
  fc.constant(Buffer.from('78da6360a03d000000640001', 'hex')), // zlib: 100 zero bytes
  // A WINDOW grant of any size: on stream 0 a large one takes the server's credit past 2^31-1 (FLOW_CONTROL_ERROR).
  fc.nat({ max: 0xffff_ffff }).map((bytes) => {
    const payload = Buffer.alloc(4);
    payload.writeUInt32BE(bytes, 0);
    return payload;
  }),
);
const frameArb = fc.record({
  kind: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...Object.values(FrameKind)) }, { weight: 1, arbitrary: fc.nat({ max: 255 }) }),
  // Mostly flags a client may send here (OBFUSCATED is never negotiated, so it always ends the connection).
  flags: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(0, FrameFlag.END_STREAM) },
    { weight: 2, arbitrary: fc.constantFrom(FrameFlag.COMPRESSED, FrameFlag.COMPRESSED | FrameFlag.END_STREAM) },
    { weight: 1, arbitrary: fc.nat({ max: KNOWN_FLAGS }).map((bits) => bits & KNOWN_FLAGS) },
    { weight: 1, arbitrary: fc.nat({ max: 255 }) },
  ),
  streamId: fc.oneof(fc.constantFrom(0, 1, 2), fc.nat({ max: 0xffff_ffff })),
  payload: payloadArb,
});

// A version-2 client's preface (docs/protocol.md section 2): role client, reserved 0, positive windows.
const CLIENT_PREFACE = Buffer.from(encodePreface({ version: PROTOCOL_VERSION, features: 0, role: Role.CLIENT, connectionWindow: 1 << 20, streamWindow: 1 << 16, keyCheck: 0 }));

function encode(frame: { kind: number; flags: number; streamId: number; payload: Buffer }): Buffer {
  const bytes = Buffer.alloc(FRAME_HEADER_BYTES + frame.payload.length);
  writeFrameHeader(bytes, 0, frame.payload.length, frame.kind, frame.flags, frame.streamId);
  frame.payload.copy(bytes, FRAME_HEADER_BYTES);
  return bytes;
}

describe('server connection: any frames after the handshake', () => {
  let server: RpcServer;
  let port: number;
  beforeAll(async () => {
    ({ server, port } = await startConformanceServer({ maxFrameBytes: 64 }));
  });
  afterAll(() => server?.close(0));

  it('the PING is answered, or the connection closes with a GOAWAY naming a violation', async () => {
    const violations = new Set<number>([CloseCode.PROTOCOL_ERROR, CloseCode.FRAME_TOO_LARGE, CloseCode.COMPRESSION_ERROR, CloseCode.FLOW_CONTROL_ERROR]);
    await fc.assert(
      fc.asyncProperty(fc.array(frameArb, { maxLength: 5 }), async (frames) => {
        const peer = await VectorPeer.connect(port, CLIENT_PREFACE);
        try {
          await peer.until(() => peer.preface, 'the server preface');
          const ping = { kind: FrameKind.PING, flags: 0, streamId: 0, payload: PING };
          peer.write(Buffer.concat([...frames, ping].map(encode)));
          const end = await peer.until(
            () => peer.frames.find((f) => f.kind === FrameKind.GOAWAY || (f.kind === FrameKind.PONG && f.payload.equals(PING))) ?? (peer.ended || peer.closed ? null : undefined),
            'the PONG or a GOAWAY',
          );
          if (!end) throw new Error('the server closed without a GOAWAY');
          if (end.kind === FrameKind.GOAWAY) {
            const { code, reason, lastCallId } = decodeGoaway(end.payload);
            const callIdSent = lastCallId === 0 || frames.some((frame) => frame.kind === FrameKind.CALL && frame.streamId === lastCallId);
            same(`${violations.has(code)} ${reason.length > 0} ${callIdSent}`, 'true true true');
          }
        } finally {
          await peer.destroy();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('WINDOW: another size than 4 bytes is a PROTOCOL_ERROR for any id; a grant past 2^31-1 of credit is a FLOW_CONTROL_ERROR', async () => {
    const window = (streamId: number, payloadHex: string): Buffer => encode({ kind: FrameKind.WINDOW, flags: 0, streamId, payload: Buffer.from(payloadHex, 'hex') });
    const cases: [Buffer, number, string][] = [
      [window(0, '000001'), CloseCode.PROTOCOL_ERROR, 'WINDOW payload must be 4 bytes, got 3'],
      [window(9, '0000000100'), CloseCode.PROTOCOL_ERROR, 'WINDOW payload must be 4 bytes, got 5'],
      [window(0, 'ffffffff'), CloseCode.FLOW_CONTROL_ERROR, 'connection window grant overflows 2^31-1'],
    ];
    for (const [bytes, code, reason] of cases) {
      const peer = await VectorPeer.connect(port, CLIENT_PREFACE);
      try {
        await peer.until(() => peer.preface, 'the server preface');
        peer.write(bytes);
        const goaway = await peer.until(() => peer.frames.find((f) => f.kind === FrameKind.GOAWAY), 'the GOAWAY');
        expect(decodeGoaway(goaway.payload)).toEqual({ code, lastCallId: 0, reason: expect.stringContaining(reason) });
      } finally {
        await peer.destroy();
      }
    }
  });

  it('a small compressed frame that inflates to 64 MiB is a COMPRESSION_ERROR, inflated no further than maxFrameBytes', async () => {
    const { server: big, port: bigPort } = await startConformanceServer({}); // default maxFrameBytes, 4 MiB
    const bomb = deflateSync(Buffer.alloc(64 * 1024 * 1024), { level: 1 });
    const peer = await VectorPeer.connect(bigPort, CLIENT_PREFACE);
    try {
      await peer.until(() => peer.preface, 'the server preface');
      const before = process.memoryUsage().arrayBuffers;
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 1);
      peer.write(encode({ kind: FrameKind.DATA, flags: FrameFlag.COMPRESSED, streamId: 1, payload: bomb }));
      const goaway = await peer.until(() => peer.frames.find((f) => f.kind === FrameKind.GOAWAY), 'the GOAWAY');
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
      expect(bomb.length).toBeLessThan(1024 * 1024);
      // Version 2's GOAWAY also names the last accepted call id: 0, the peer opened no call.
      expect(decodeGoaway(goaway.payload)).toEqual({ code: CloseCode.COMPRESSION_ERROR, lastCallId: 0, reason: expect.stringContaining('inflates past maxFrameBytes (4194304)') });
      expect(peak - before).toBeLessThan(MEMORY_SLACK_BYTES);
    } finally {
      await peer.destroy();
      await big.close(0);
    }
  });
});
