// Property, over real sockets: whatever bytes the other side sends first, the handshake either completes
// or ends with a FrameError that has a reason (client) or a refusal GOAWAY (server); never a crash or a hang.
import * as fc from 'fast-check';
import * as net from 'node:net';
import { CloseCode, FrameError, FrameKind, PREFACE_BYTES, decodeGoaway, decodePreface, encodeGoaway, encodePreface, resolveTransportOptions } from '../../../src/transport';
import { writeFrameHeader } from '../../../src/codec/frame-header';
import { initiateHandshake, localPreface } from '../../../src/transport/tcp/handshake';
import { GOAWAY_FIXED_BYTES, MAX_REASON_BYTES } from '../../../src/codec/goaway';
import { checkObfuscation } from '../../../src/codec/preface';
import { Feature, FRAME_HEADER_BYTES, PROTOCOL_VERSION, Role } from '../../../src/codec/wire';
import { asBuffer, same, splitAt, validOrMutated } from '../../property-helpers';
import { startEchoServer, type EchoServer } from './helpers';

/**
 * Version-2 prefaces (20 bytes), mostly well-formed, sometimes with each field a peer may get wrong: another
 * version, a role that is neither client nor server, a non-zero reserved byte 7, a zero window.
 */
const prefaceArb = fc
  .record({
    version: fc.oneof({ weight: 4, arbitrary: fc.constant(PROTOCOL_VERSION) }, { weight: 1, arbitrary: fc.nat({ max: 255 }) }),
    // Mostly without OBFUSCATION (neither side here has an XOR key), so that many prefaces are accepted.
    features: fc.oneof({ weight: 3, arbitrary: fc.nat({ max: 255 }).map((bits) => bits & ~Feature.OBFUSCATION) }, { weight: 1, arbitrary: fc.nat({ max: 255 }) }),
    role: fc.oneof({ weight: 4, arbitrary: fc.constantFrom<number>(Role.CLIENT, Role.SERVER) }, { weight: 1, arbitrary: fc.nat({ max: 255 }) }),
    reserved: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 255 }) }),
    keyCheck: fc.nat({ max: 0xffff_ffff }),
    connectionWindow: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 0xffff_ffff }) }, { weight: 1, arbitrary: fc.constant(0) }),
    streamWindow: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 0xffff_ffff }) }, { weight: 1, arbitrary: fc.constant(0) }),
  })
  .map(({ reserved, role, ...fields }) => {
    const bytes = encodePreface({ ...fields, role: role as Role });
    bytes[7] = reserved;
    return bytes;
  });

/**
 * What a side that speaks version 2 without an XOR key makes of a complete 20-byte preface from a peer that
 * must have role `expected`: 'ok', or the reason it fails (decodePreface, then the obfuscation check).
 */
function prefaceVerdict(bytes: Buffer, expected: Role): string {
  const ours = localPreface(resolveTransportOptions({}), expected === Role.SERVER ? Role.CLIENT : Role.SERVER);
  try {
    checkObfuscation(ours, decodePreface(bytes.subarray(0, PREFACE_BYTES), expected), expected === Role.SERVER ? 'client' : 'server');
    return 'ok';
  } catch (error) {
    if (!(error instanceof FrameError) || error.closeCode !== CloseCode.HANDSHAKE_FAILED) throw error;
    return error.message;
  }
}

/** A refusal as a server sends it: one GOAWAY frame (header and payload). */
const refusalArb = fc.tuple(fc.nat({ max: 0xffff }), fc.string({ maxLength: 40 })).map(([code, reason]) => {
  const payload = encodeGoaway(code, reason);
  const frame = Buffer.alloc(FRAME_HEADER_BYTES + payload.length);
  writeFrameHeader(frame, 0, payload.length, FrameKind.GOAWAY, 0, 0);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
});

/** Resolves with `promise`'s outcome, or rejects if it has not settled within `ms` (a hang is a failure). */
function settled<T>(promise: Promise<T>, ms: number): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the handshake neither completed nor failed within ${ms} ms`)), ms);
  });
  return Promise.race([
    promise.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    ),
    bound,
  ]).finally(() => clearTimeout(timer));
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

  it('a refusal GOAWAY shorter than its 6-byte code and last call id fails the handshake (it used to throw out of the data listener and hang)', async () => {
    for (const payload of ['00', '0007000000']) {
      const length = payload.length / 2;
      const outcome = await clientHandshake(Buffer.from(`0000000${length}` + '03' + '00' + '00000000' + payload, 'hex'));
      expect(outcome.ok).toBe(false);
      expect(!outcome.ok && outcome.error).toMatchObject({
        closeCode: CloseCode.HANDSHAKE_FAILED,
        message: `not a framerpc server: GOAWAY payload of ${length} bytes is shorter than its 6-byte code and last call id`,
      });
    }
  });

  it('a refusal without a reason still fails with a message naming its code', async () => {
    const outcome = await clientHandshake(Buffer.from('00000006' + '03' + '00' + '00000000' + '0007' + '00000000', 'hex'));
    expect(!outcome.ok && outcome.error).toMatchObject({ closeCode: CloseCode.SERVER_FULL, message: 'the server refused the connection with close code 7 and no reason' });
  });

  it('an echo server (it reflects the client preface, role client) fails the handshake instead of leaving calls waiting', async () => {
    const ours = Buffer.from(encodePreface(localPreface(resolveTransportOptions({}), Role.CLIENT)));
    const outcome = await clientHandshake(ours);
    expect(!outcome.ok && outcome.error).toMatchObject({ closeCode: CloseCode.HANDSHAKE_FAILED, message: expect.stringContaining("expected a server's preface, got a client's") });
  });

  it('completes on a valid server preface, else fails with a FrameError that has a reason', async () => {
    const inputArb = fc.oneof(fc.uint8Array({ maxLength: 30 }).map(asBuffer), validOrMutated(prefaceArb), validOrMutated(refusalArb));
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(inputArb, fc.array(fc.nat(), { maxLength: 3 }), async (bytes, cuts) => {
        const outcome = await clientHandshake(...splitAt(bytes, cuts).filter((chunk) => chunk.length > 0));
        seen.add(outcome.ok ? 'completed' : outcome.error instanceof FrameError ? `failed ${outcome.error.closeCode}` : 'threw');
        // A whole preface decides the outcome whatever follows it; anything shorter or else never completes.
        const verdict = bytes[0] === 0x46 && bytes.length >= PREFACE_BYTES ? prefaceVerdict(bytes, Role.SERVER) : undefined;
        if (outcome.ok) {
          // What came after the preface in the same read is handed on, unchanged.
          same(`ok ${bytes.subarray(PREFACE_BYTES).toString('hex').startsWith(outcome.value.leftover.toString('hex'))}`, `${verdict} true`);
          return;
        }
        const error = outcome.error;
        if (!(error instanceof FrameError)) throw error;
        if (error.message.length === 0) throw new Error(`a FrameError without a reason (code ${error.closeCode})`);
        if (verdict !== undefined) same(`failed ${error.closeCode} ${error.message}`, verdict === 'ok' ? 'completed' : `failed ${CloseCode.HANDSHAKE_FAILED} ${verdict}`);
        const refusal = wholeRefusal(bytes);
        if (refusal)
          same(`failed ${error.closeCode} ${error.message}`, `failed ${refusal.code} ${refusal.reason || `the server refused the connection with close code ${refusal.code} and no reason`}`);
      }),
      { numRuns: 400 },
    );
    // The runs reached completion, a bad preface, a cut-short reply and relayed refusals, not only one of them.
    for (const outcome of ['completed', `failed ${CloseCode.HANDSHAKE_FAILED}`, `failed ${CloseCode.CONNECTION_LOST}`]) expect(seen).toContain(outcome);
    expect(seen.size).toBeGreaterThan(4);
  });
});

/** The refusal `bytes` hold, when they are one whole, well-formed refusal GOAWAY as the client reads it. */
function wholeRefusal(bytes: Buffer): { code: number; reason: string } | undefined {
  if (bytes.length < FRAME_HEADER_BYTES || bytes[0] !== 0x00 || bytes[4] !== FrameKind.GOAWAY) return undefined;
  const length = bytes.readUInt32BE(0);
  if (length < GOAWAY_FIXED_BYTES || length > GOAWAY_FIXED_BYTES + MAX_REASON_BYTES || bytes.length < FRAME_HEADER_BYTES + length) return undefined;
  return decodeGoaway(bytes.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + length));
}

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

  it('answers with its preface, refuses with a HANDSHAKE_FAILED GOAWAY naming the reason, or closes when the preface is cut short', async () => {
    const inputArb = fc.oneof(fc.uint8Array({ maxLength: PREFACE_BYTES }).map(asBuffer), validOrMutated(prefaceArb)).map((bytes) => bytes.subarray(0, PREFACE_BYTES));
    const magicMismatch = 'not a framerpc peer: expected preface magic "FRPC", got ';
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(inputArb, fc.array(fc.nat(), { maxLength: 3 }), async (bytes, cuts) => {
        const received = await exchange(splitAt(bytes, cuts).filter((chunk) => chunk.length > 0));
        const magicSoFar = Buffer.from('FRPC').subarray(0, Math.min(4, bytes.length));
        let wanted: string;
        // A wrong magic is refused as soon as it shows, from however many of the first 4 bytes had arrived.
        if (!bytes.subarray(0, 4).equals(magicSoFar)) wanted = `refused ${CloseCode.HANDSHAKE_FAILED} wrong magic`;
        else if (bytes.length < PREFACE_BYTES) wanted = 'closed';
        else {
          const verdict = prefaceVerdict(bytes, Role.CLIENT);
          wanted = verdict === 'ok' ? 'preface' : `refused ${CloseCode.HANDSHAKE_FAILED} ${verdict}`;
        }
        let got: string;
        if (received.length === 0) got = 'closed';
        else if (received[0] === 0x46) {
          let answer: string;
          try {
            answer = decodePreface(received, Role.SERVER).version === PROTOCOL_VERSION ? 'preface' : 'another version';
          } catch (error) {
            answer = (error as Error).message;
          }
          got = answer === 'preface' ? 'preface' : `bad preface ${answer} ${received.toString('hex')}`;
        } else {
          const length = received.readUInt32BE(0);
          const goaway = decodeGoaway(received.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + length));
          let reason = goaway.reason;
          if (reason.startsWith(magicMismatch)) {
            // The bytes the server had seen: a prefix of what was sent, already not a prefix of "FRPC".
            const read = Buffer.from(JSON.parse(reason.slice(magicMismatch.length)) as string, 'latin1');
            if (read.length > 0 && bytes.subarray(0, read.length).equals(read) && !Buffer.from('FRPC').subarray(0, read.length).equals(read)) reason = 'wrong magic';
          }
          got = received[4] === FrameKind.GOAWAY && goaway.lastCallId === 0 && reason.length > 0 ? `refused ${goaway.code} ${reason}` : `bad refusal ${received.toString('hex')}`;
        }
        seen.add(got.startsWith('refused') && !got.endsWith('wrong magic') ? 'refused for a field' : got);
        same(got, wanted);
      }),
      { numRuns: 400 },
    );
    for (const outcome of ['preface', 'closed', `refused ${CloseCode.HANDSHAKE_FAILED} wrong magic`, 'refused for a field']) expect(seen).toContain(outcome);
  });
});
