// Property, over real sockets: whatever bytes the other side sends first, the handshake either completes
// or ends with a FrameError that has a reason (client) or a refusal GOAWAY (server); never a crash or a hang.
import * as fc from 'fast-check';
import * as net from 'node:net';
import { CloseCode, FrameError, FrameKind, PREFACE_BYTES, decodeGoaway, decodePreface, encodeGoaway, encodePreface, resolveTransportOptions } from '../../src/transport';
import { writeFrameHeader } from '../../src/transport/frame-encoder';
import { initiateHandshake } from '../../src/transport/handshake';
import { Feature, FRAME_HEADER_BYTES, PROTOCOL_VERSION, Role } from '../../src/transport/wire';
import { asBuffer, splitAt, validOrMutated } from '../property-helpers';
import { startEchoServer, type EchoServer } from './helpers';

const prefaceArb = fc.record({
  version: fc.constant(PROTOCOL_VERSION), features: fc.nat({ max: 255 }), role: fc.constantFrom(Role.CLIENT, Role.SERVER),
  keyCheck: fc.nat({ max: 0xffff_ffff }), connectionWindow: fc.integer({ min: 1, max: 0xffff_ffff }), streamWindow: fc.integer({ min: 1, max: 0xffff_ffff }),
}).map(encodePreface);

/** A refusal as a server sends it: one GOAWAY frame (header and payload). */
const refusalArb = fc.tuple(fc.nat({ max: 0xffff }), fc.string({ maxLength: 40 })).map(([code, reason]) => {
  const payload = encodeGoaway(code, reason);
  const frame = Buffer.alloc(FRAME_HEADER_BYTES + payload.length);
  writeFrameHeader(frame, 0, payload.length, FrameKind.GOAWAY, 0, 0);
  payload.copy(frame, FRAME_HEADER_BYTES);
  return frame;
});

/** Resolves with `promise`'s outcome, or rejects if it has not settled within `ms` (a hang is a failure). */
function settled<T>(promise: Promise<T>, ms: number): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the handshake neither completed nor failed within ${ms} ms`)), ms);
  });
  return Promise.race([promise.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error })), bound]).finally(() => clearTimeout(timer));
}

describe('client handshake: whatever the server answers', () => {
  let server: net.Server;
  let reply: Buffer[] = [];
  let port = 0;
  const open = new Set<net.Socket>();

  beforeAll(async () => {
    server = net.createServer((socket) => {
      open.add(socket);
      socket.once('close', () => open.delete(socket));
      socket.on('error', () => undefined);
      for (const chunk of reply) socket.write(chunk);
      socket.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => {
    for (const socket of open) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** Connects while the server answers with `chunks` (then FIN); the handshake's outcome. */
  async function clientHandshake(...chunks: Buffer[]): ReturnType<typeof settled<{ leftover: Buffer }>> {
    reply = chunks;
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    return settled(initiateHandshake(socket, resolveTransportOptions({ handshakeTimeoutMs: 1000 })), 1500).finally(() => socket.destroy());
  }

  it('a refusal GOAWAY shorter than its 2-byte code fails the handshake (it used to throw out of the data listener and hang)', async () => {
    const outcome = await clientHandshake(Buffer.from('00000001' + '03' + '00' + '00000000' + '00', 'hex'));
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error).toMatchObject({ code: CloseCode.HANDSHAKE_FAILED, message: 'not a framerpc server: GOAWAY payload of 1 bytes is shorter than its 2-byte code' });
  });

  it('a refusal without a reason still fails with a message naming its code', async () => {
    const outcome = await clientHandshake(Buffer.from('00000002' + '03' + '00' + '00000000' + '0007', 'hex'));
    expect(!outcome.ok && outcome.error).toMatchObject({ code: CloseCode.SERVER_FULL, message: 'the server refused the connection with close code 7 and no reason' });
  });

  it('completes on a valid preface, else fails with a FrameError that has a reason', async () => {
    const inputArb = fc.oneof(fc.uint8Array({ maxLength: 30 }).map(asBuffer), validOrMutated(prefaceArb), validOrMutated(refusalArb));
    await fc.assert(
      fc.asyncProperty(inputArb, fc.array(fc.nat(), { maxLength: 3 }), async (bytes, cuts) => {
        const outcome = await clientHandshake(...splitAt(bytes, cuts).filter((chunk) => chunk.length > 0));
        let valid = false;
        try {
          valid = bytes[0] === 0x46 && (decodePreface(bytes.subarray(0, PREFACE_BYTES)).features & Feature.OBFUSCATION) === 0;
        } catch {
          valid = false;
        }
        if (outcome.ok) {
          // What came after the preface in the same read is handed on, unchanged.
          expect(`ok ${bytes.subarray(PREFACE_BYTES).toString('hex').startsWith(outcome.value.leftover.toString('hex'))}`).toBe(`ok ${valid}`);
        } else {
          const error = outcome.error;
          if (!(error instanceof FrameError)) throw error;
          expect(`failed ${error.message.length > 0} ${valid}`).toBe('failed true false');
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('server handshake: whatever the client sends first', () => {
  let echo: EchoServer;
  beforeAll(async () => {
    echo = await startEchoServer({ handshakeTimeoutMs: 2000 });
  });
  afterAll(() => echo.server.close(0));

  /** Sends `chunks`, then FIN; resolves with every byte the server sent until it closed. */
  function exchange(chunks: Buffer[]): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port: echo.port });
      const received: Buffer[] = [];
      socket.on('error', () => undefined);
      socket.on('data', (chunk) => received.push(chunk));
      socket.once('close', () => resolve(Buffer.concat(received)));
      socket.once('connect', () => {
        for (const chunk of chunks) socket.write(chunk);
        socket.end();
      });
      setTimeout(() => reject(new Error('the server neither answered nor closed')), 3000).unref();
    });
  }

  it('answers with its preface, refuses with a HANDSHAKE_FAILED GOAWAY, or closes when the preface is cut short', async () => {
    const inputArb = fc.oneof(fc.uint8Array({ maxLength: PREFACE_BYTES }).map(asBuffer), validOrMutated(prefaceArb)).map((bytes) => bytes.subarray(0, PREFACE_BYTES));
    await fc.assert(
      fc.asyncProperty(inputArb, fc.array(fc.nat(), { maxLength: 3 }), async (bytes, cuts) => {
        const received = await exchange(splitAt(bytes, cuts).filter((chunk) => chunk.length > 0));
        const magicSoFar = Buffer.from('FRPC').subarray(0, Math.min(4, bytes.length));
        let wanted: string;
        if (!bytes.subarray(0, 4).equals(magicSoFar)) wanted = `refused ${CloseCode.HANDSHAKE_FAILED}`;
        else if (bytes.length < PREFACE_BYTES) wanted = 'closed';
        else {
          let acceptable = false;
          try {
            acceptable = (decodePreface(bytes).features & Feature.OBFUSCATION) === 0;
          } catch {
            acceptable = false;
          }
          wanted = acceptable ? 'preface' : `refused ${CloseCode.HANDSHAKE_FAILED}`;
        }
        let got: string;
        if (received.length === 0) got = 'closed';
        else if (received[0] === 0x46) got = received.length >= PREFACE_BYTES && decodePreface(received).version === PROTOCOL_VERSION ? 'preface' : `bad preface ${received.toString('hex')}`;
        else {
          const length = received.readUInt32BE(0);
          const goaway = decodeGoaway(received.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + length));
          got = received[4] === FrameKind.GOAWAY && goaway.reason.length > 0 ? `refused ${goaway.code}` : `bad refusal ${received.toString('hex')}`;
        }
        expect(got).toBe(wanted);
      }),
      { numRuns: 400 },
    );
  });
});
