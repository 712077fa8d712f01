// Server receiving bad frames over real sockets: every violation closes that connection with a GOAWAY
// naming the reason, the server reports the same reason, and other clients keep working.
import { CloseCode, FrameFlag, FrameKind, type CloseInfo } from '../../../src/transport';
import { expectHealthyEcho, startEchoServer, type EchoServer } from './helpers';
import { RawPeer, rawFrame } from './raw-peer';

const MAX_FRAME_BYTES = 64 * 1024;
let echo: EchoServer;
const peers: RawPeer[] = [];

async function rawPeer(): Promise<RawPeer> {
  const peer = await RawPeer.connect(echo.port);
  peers.push(peer);
  return peer;
}

/** The reason the peer read in GOAWAY, and the one the server's connection reported, must agree. */
async function expectClosedWith(peer: RawPeer, code: CloseCode, reason: string | RegExp): Promise<CloseInfo> {
  const goaway = await peer.goaway();
  const info = await echo.nextClose();
  expect(goaway.code).toBe(code);
  expect(info).toMatchObject({ code, remote: false });
  if (typeof reason === 'string') {
    expect(goaway.reason).toBe(reason);
    expect(info.reason).toBe(reason);
  } else {
    expect(goaway.reason).toMatch(reason);
    expect(info.reason).toMatch(reason);
  }
  await peer.closed;
  return info;
}

beforeEach(async () => {
  echo = await startEchoServer({ maxFrameBytes: MAX_FRAME_BYTES, closeTimeoutMs: 200 });
});

afterEach(async () => {
  await Promise.all(peers.splice(0).map((peer) => peer.destroy()));
  await echo.server.close(0);
});

describe('Server receiving bad input: frame header', () => {
  it('delivers a DATA frame with length prefix 0 as an empty payload', async () => {
    const peer = await rawPeer();
    peer.write(rawFrame(FrameKind.DATA, 0, 5, Buffer.alloc(0)));
    const echoed = await peer.nextFrame((f) => f.kind === FrameKind.DATA);
    expect(echoed).toEqual({ kind: FrameKind.DATA, flags: 0, streamId: 5, payload: Buffer.alloc(0) });
    expect(echo.connections[0].state).toBe('open');
    await expectHealthyEcho(echo.port);
  });

  it('closes on a PING with length prefix 0 (PING must carry 8 bytes)', async () => {
    const peer = await rawPeer();
    peer.write(rawFrame(FrameKind.PING, 0, 0, Buffer.alloc(0)));
    await expectClosedWith(peer, CloseCode.PROTOCOL_ERROR, 'PING payload must be 8 bytes, got 0');
    await expectHealthyEcho(echo.port);
  });

  it('closes on a length prefix of 2^32-1 without waiting for the body', async () => {
    const peer = await rawPeer();
    peer.write(rawFrame(FrameKind.DATA, 0, 1, Buffer.alloc(0), 0xffff_ffff));
    await expectClosedWith(peer, CloseCode.FRAME_TOO_LARGE, `frame of 4294967295 bytes exceeds maxFrameBytes (${MAX_FRAME_BYTES})`);
    await expectHealthyEcho(echo.port);
  });

  it('closes on a length prefix of maxFrameBytes + 1, and accepts exactly maxFrameBytes', async () => {
    const good = await rawPeer();
    good.write(rawFrame(FrameKind.DATA, 0, 1, Buffer.alloc(MAX_FRAME_BYTES, 7)));
    expect((await good.nextFrame((f) => f.kind === FrameKind.DATA)).payload.equals(Buffer.alloc(MAX_FRAME_BYTES, 7))).toBe(true);
    const peer = await rawPeer();
    peer.write(rawFrame(FrameKind.DATA, 0, 1, Buffer.alloc(0), MAX_FRAME_BYTES + 1));
    await expectClosedWith(peer, CloseCode.FRAME_TOO_LARGE, `frame of ${MAX_FRAME_BYTES + 1} bytes exceeds maxFrameBytes (${MAX_FRAME_BYTES})`);
    expect(echo.connections[0].state).toBe('open');
    await expectHealthyEcho(echo.port);
  });

  it('closes on an unknown frame kind', async () => {
    const peer = await rawPeer();
    peer.write(rawFrame(0x7e, 0, 1, Buffer.from('?')));
    await expectClosedWith(peer, CloseCode.PROTOCOL_ERROR, 'unknown frame kind 0x7e');
    await expectHealthyEcho(echo.port);
  });

  it('closes on unknown flag bits', async () => {
    const peer = await rawPeer();
    peer.write(rawFrame(FrameKind.DATA, 0b0100_0000, 1, Buffer.from('?')));
    await expectClosedWith(peer, CloseCode.PROTOCOL_ERROR, /^unknown flag bits 0b01000000 on frame kind 0x4$/);
    await expectHealthyEcho(echo.port);
  });

  it('closes on a control frame with a non-zero stream id', async () => {
    const peer = await rawPeer();
    peer.write(rawFrame(FrameKind.PING, 0, 3, Buffer.alloc(8)));
    await expectClosedWith(peer, CloseCode.PROTOCOL_ERROR, /stream 3 \(must be 0\)/);
    await expectHealthyEcho(echo.port);
  });

  it('closes on an obfuscated frame when no key was agreed', async () => {
    const peer = await rawPeer();
    peer.write(rawFrame(FrameKind.DATA, FrameFlag.OBFUSCATED, 1, Buffer.from('hidden')));
    await expectClosedWith(peer, CloseCode.PROTOCOL_ERROR, 'obfuscated frame on a connection without obfuscation');
    await expectHealthyEcho(echo.port);
  });

  it('reports a truncated frame followed by close as a lost connection, and nothing crashes', async () => {
    const peer = await rawPeer();
    const frame = rawFrame(FrameKind.DATA, 0, 1, Buffer.alloc(1000, 1));
    peer.write(rawFrame(FrameKind.DATA, 0, 1, Buffer.from('complete')));
    await peer.nextFrame((f) => f.kind === FrameKind.DATA);
    peer.socket.end(frame.subarray(0, 500));
    const info = await echo.nextClose();
    expect(info).toEqual({ code: CloseCode.CONNECTION_LOST, reason: 'the peer closed the connection', remote: true });
    await peer.closed;
    expect(echo.server.connections.size).toBe(0);
    await expectHealthyEcho(echo.port);
  });

  it('echoes frames that arrive before the violation in the same write, then closes', async () => {
    const peer = await rawPeer();
    peer.write(Buffer.concat([rawFrame(FrameKind.DATA, 0, 1, Buffer.from('one')), rawFrame(FrameKind.DATA, 0, 2, Buffer.from('two')), rawFrame(0x00, 0, 0)]));
    await expectClosedWith(peer, CloseCode.PROTOCOL_ERROR, 'unknown frame kind 0x00');
    expect(peer.frames.filter((f) => f.kind === FrameKind.DATA).map((f) => f.payload.toString())).toEqual(['one', 'two']);
    await expectHealthyEcho(echo.port);
  });
});
