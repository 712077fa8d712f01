// Compressed frames from a hostile peer: garbage that does not inflate and a zip bomb are refused with
// COMPRESSION_ERROR, the bomb without inflating past maxFrameBytes, and the server keeps serving.
import { constants as zlibConstants, deflateRawSync, deflateSync, inflateSync } from 'node:zlib';
import { CloseCode, FrameFlag, FrameKind } from '../../../src/transport';
import { expectHealthyEcho, startEchoServer, type EchoServer } from './helpers';
import { RawPeer, rawFrame } from './raw-peer';

const MIB = 1024 * 1024;

/**
 * A valid zlib stream of `mebibytes` MiB of zeros, built in a few milliseconds and ~1 KiB per MiB:
 * one MiB of zeros is deflated once, ending in a full flush (byte-aligned, no back-references into
 * earlier data), so the same compressed block can be repeated; then an empty final block and the
 * Adler-32 of the whole (a = 1, b = n mod 65521 for n zero bytes).
 */
function zerosDeflated(mebibytes: number): Buffer {
  const block = deflateRawSync(Buffer.alloc(MIB), { level: 9, finishFlush: zlibConstants.Z_FULL_FLUSH });
  const total = mebibytes * MIB;
  const trailer = Buffer.alloc(6);
  trailer[0] = 0x03; // final fixed-Huffman block holding only end-of-block
  trailer[1] = 0x00;
  trailer.writeUInt32BE((((total % 65521) << 16) | 1) >>> 0, 2);
  return Buffer.concat([Buffer.from([0x78, 0xda]), ...Array<Buffer>(mebibytes).fill(block), trailer]);
}

// Computed once for the file: 1 GiB of zeros, about 1 MiB on the wire.
const ZIP_BOMB = zerosDeflated(1024);

let echo: EchoServer | undefined;
const peers: RawPeer[] = [];

async function rawPeer(): Promise<RawPeer> {
  const peer = await RawPeer.connect(echo!.port);
  peers.push(peer);
  return peer;
}

afterEach(async () => {
  await Promise.all(peers.splice(0).map((peer) => peer.destroy()));
  await echo?.server.close(0);
  echo = undefined;
});

describe('zip bomb builder', () => {
  it('builds a valid zlib stream of exactly the requested zeros (checked at 3 MiB)', () => {
    // Buffer.equals, not toEqual: jest's deep equality walks megabytes byte by byte.
    expect(inflateSync(zerosDeflated(3)).equals(Buffer.alloc(3 * MIB))).toBe(true);
    expect(ZIP_BOMB.length).toBeLessThan(1.1 * MIB);
  });
});

describe('Server receiving bad compressed frames', () => {
  it('inflates a valid compressed frame from the peer', async () => {
    echo = await startEchoServer();
    const peer = await rawPeer();
    const payload = Buffer.from('compress me '.repeat(100));
    peer.write(rawFrame(FrameKind.DATA, FrameFlag.COMPRESSED, 1, deflateSync(payload)));
    // The raw peer did not announce compression, so the echo comes back plain.
    const echoed = await peer.nextFrame((f) => f.kind === FrameKind.DATA);
    expect(echoed.flags).toBe(0);
    expect(echoed.payload).toEqual(payload);
  });

  it('closes with COMPRESSION_ERROR on a COMPRESSED frame that does not inflate', async () => {
    echo = await startEchoServer({ closeTimeoutMs: 200 });
    const peer = await rawPeer();
    peer.write(rawFrame(FrameKind.DATA, FrameFlag.COMPRESSED, 3, Buffer.from('definitely not zlib')));
    const goaway = await peer.goaway();
    expect(goaway.code).toBe(CloseCode.COMPRESSION_ERROR);
    expect(goaway.reason).toMatch(/^compressed frame on stream 3 does not inflate: /);
    expect(await echo.nextClose()).toEqual({ code: CloseCode.COMPRESSION_ERROR, reason: goaway.reason, remote: false });
    await expectHealthyEcho(echo.port);
  });

  it('closes with PROTOCOL_ERROR on a compressed frame when the server turned compression off', async () => {
    echo = await startEchoServer({ compression: false, closeTimeoutMs: 200 });
    const peer = await rawPeer();
    peer.write(rawFrame(FrameKind.DATA, FrameFlag.COMPRESSED, 1, deflateSync(Buffer.from('x'))));
    expect(await peer.goaway()).toMatchObject({ code: CloseCode.PROTOCOL_ERROR, reason: 'compressed frame, but this side did not accept compression' });
    await expectHealthyEcho(echo.port);
  });

  it('accepts a frame that inflates to exactly maxFrameBytes and refuses one byte more', async () => {
    echo = await startEchoServer({ maxFrameBytes: 64 * 1024, closeTimeoutMs: 200 });
    const peer = await rawPeer();
    peer.write(rawFrame(FrameKind.DATA, FrameFlag.COMPRESSED, 1, deflateSync(Buffer.alloc(64 * 1024, 1))));
    expect((await peer.nextFrame((f) => f.kind === FrameKind.DATA)).payload.equals(Buffer.alloc(64 * 1024, 1))).toBe(true);
    peer.write(rawFrame(FrameKind.DATA, FrameFlag.COMPRESSED, 2, deflateSync(Buffer.alloc(64 * 1024 + 1, 1))));
    expect(await peer.goaway()).toMatchObject({
      code: CloseCode.COMPRESSION_ERROR,
      reason: 'compressed frame on stream 2 inflates past maxFrameBytes (65536)',
    });
    await expectHealthyEcho(echo.port);
  });

  it('refuses a 1 GiB zip bomb quickly, without inflating it, and keeps serving', async () => {
    echo = await startEchoServer({ closeTimeoutMs: 200 });
    const maxFrameBytes = echo.server.options.maxFrameBytes;
    expect(ZIP_BOMB.length).toBeLessThan(maxFrameBytes);
    const peer = await rawPeer();
    const started = Date.now();
    const rssBefore = process.memoryUsage().rss;
    peer.write(rawFrame(FrameKind.DATA, FrameFlag.COMPRESSED, 9, ZIP_BOMB));
    const goaway = await peer.goaway();
    const elapsedMs = Date.now() - started;
    expect(goaway).toMatchObject({ code: CloseCode.COMPRESSION_ERROR, reason: `compressed frame on stream 9 inflates past maxFrameBytes (${maxFrameBytes})` });
    expect(await echo.nextClose()).toMatchObject({ code: CloseCode.COMPRESSION_ERROR, reason: goaway.reason });
    // Inflating the whole GiB takes seconds and a GiB of memory; stopping at maxFrameBytes takes neither.
    expect(elapsedMs).toBeLessThan(1000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * MIB);
    await expectHealthyEcho(echo.port);
  });
});
