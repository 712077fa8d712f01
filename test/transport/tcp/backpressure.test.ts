// Outbound bounds and backpressure over real sockets: a peer that never reads is closed with
// OUTBOUND_OVERFLOW before the server holds more than maxOutboundBytes; a peer that sends but does not
// read makes the server stop reading (memory stays bounded) until it drains.
import type { Socket } from 'node:net';
import { once } from 'node:events';
import { CloseCode, FrameClient, FrameKind, type CloseInfo, type FrameConnection } from '../../../src/transport';
import { closeClient, collect, expectHealthyEcho, startEchoServer, type EchoServer } from './helpers';
import { RawPeer, rawFrame } from './raw-peer';

const KIB = 1024;
let echo: EchoServer | undefined;
const peers: RawPeer[] = [];
const clients: FrameClient[] = [];

afterEach(async () => {
  await Promise.all(peers.splice(0).map((peer) => peer.destroy()));
  await Promise.all(clients.splice(0).map(closeClient));
  await echo?.server.close(0);
  echo = undefined;
});

async function rawPeer(port: number): Promise<RawPeer> {
  const peer = await RawPeer.connect(port);
  peers.push(peer);
  return peer;
}

describe('Outbound bound: a peer that never reads', () => {
  it('closes the connection with OUTBOUND_OVERFLOW, never holding more than maxOutboundBytes', async () => {
    const maxOutboundBytes = 256 * KIB;
    echo = await startEchoServer({ maxOutboundBytes, outboundHighWaterBytes: 64 * KIB, closeTimeoutMs: 100 });
    const peer = await rawPeer(echo.port);
    const connection = await echo.nextConnection();
    peer.socket.pause(); // never reads again
    const closed = once(connection, 'close') as Promise<[CloseInfo]>;
    const payload = Buffer.alloc(16 * KIB, 0x5a);
    let maxOutbound = 0;
    let sentBytes = 0;
    // Push from the server in macrotask-sized batches, as an application would, until the bound refuses.
    await new Promise<void>((resolve, reject) => {
      const batch = (): void => {
        for (let i = 0; i < 16; i++) {
          if (!connection.send(FrameKind.DATA, 0, 1, payload)) return resolve();
          sentBytes += payload.length;
          maxOutbound = Math.max(maxOutbound, connection.outboundBytes);
        }
        if (sentBytes > 512 * 1024 * KIB) return reject(new Error('the bound never refused a frame'));
        setImmediate(batch);
      };
      batch();
    });
    const [info] = await closed;
    expect(info).toEqual({
      code: CloseCode.OUTBOUND_OVERFLOW,
      reason: `outbound buffer would pass maxOutboundBytes (${maxOutboundBytes}): the peer is not reading`,
      remote: false,
    });
    expect(maxOutbound).toBeLessThanOrEqual(maxOutboundBytes);
    expect(maxOutbound).toBeGreaterThan(maxOutboundBytes - payload.length - 64);
    expect(connection.send(FrameKind.DATA, 0, 1, payload)).toBe(false);
    await expectHealthyEcho(echo.port);
  });

  it('refuses a single frame larger than the bound without sending any of it', async () => {
    echo = await startEchoServer({ maxOutboundBytes: 64 * KIB, outboundHighWaterBytes: 32 * KIB, closeTimeoutMs: 100 });
    const peer = await rawPeer(echo.port);
    const connection = await echo.nextConnection();
    expect(connection.hasRoomFor(64 * KIB - 10)).toBe(true);
    expect(connection.hasRoomFor(64 * KIB + 1)).toBe(false);
    expect(connection.send(FrameKind.DATA, 0, 1, Buffer.alloc(64 * KIB))).toBe(false);
    const goaway = await peer.goaway();
    expect(goaway.code).toBe(CloseCode.OUTBOUND_OVERFLOW);
    expect(peer.frames.filter((f) => f.kind === FrameKind.DATA)).toHaveLength(0);
  });
});

describe('Backpressure: read path pauses above outboundHighWaterBytes', () => {
  it('stops reading from a peer that sends echo requests but never reads, then resumes after drain', async () => {
    const maxOutboundBytes = 1024 * KIB;
    const outboundHighWaterBytes = 128 * KIB;
    echo = await startEchoServer({ maxOutboundBytes, outboundHighWaterBytes });
    const peer = await rawPeer(echo.port);
    const connection = await echo.nextConnection();
    peer.socket.pause();

    // Watch the server: how much it ever queued, and how many requests it read.
    let maxOutbound = 0;
    let requestsRead = 0;
    connection.start({
      onFrame: (kind, _flags, streamId, payload) => {
        requestsRead++;
        connection.send(kind, 0, streamId, payload);
        maxOutbound = Math.max(maxOutbound, connection.outboundBytes);
      },
    });
    const paused = once(connection.socket as Socket, 'pause');

    // 32 MiB of requests: far more than socket buffers and the bounds together.
    const count = 2048;
    const payload = Buffer.alloc(16 * KIB);
    for (let i = 0; i < count; i++) {
      payload.writeUInt32BE(i, 0);
      peer.write(rawFrame(FrameKind.DATA, 0, i + 1, payload));
    }
    await paused;
    const readAtPause = requestsRead;
    expect(readAtPause).toBeLessThan(count);
    // While the peer does not read, the server reads nothing more and queues nothing more. A fixed window on
    // purpose: that nothing happens has no event to wait for.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(connection.state).toBe('open');
    expect(connection.socket.isPaused()).toBe(true);
    expect(requestsRead).toBe(readAtPause);
    expect((connection.socket as Socket).readableLength).toBeLessThanOrEqual((connection.socket as Socket).readableHighWaterMark + 64 * KIB);
    expect(maxOutbound).toBeLessThanOrEqual(maxOutboundBytes);

    // The peer reads again: the server drains, resumes, and answers every request in order.
    peer.socket.resume();
    await peer.waitForCount(FrameKind.DATA, count);
    const echoed = peer.frames.filter((f) => f.kind === FrameKind.DATA);
    expect(echoed.map((f) => f.streamId)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    expect(echoed.every((f, i) => f.payload.length === 16 * KIB && f.payload.readUInt32BE(0) === i)).toBe(true);
    expect(requestsRead).toBe(count);
    expect(maxOutbound).toBeLessThanOrEqual(maxOutboundBytes);
    expect(echo.closes).toEqual([]);
  });

  it('resumes reading when outboundHighWaterBytes is below the socket buffer (no drain event comes)', async () => {
    // A burst of small echoes passes a 2 KiB high-water mark but is handed to the socket in one write the
    // kernel accepts at once: the socket never reports backpressure, so it will never emit 'drain'.
    echo = await startEchoServer({ maxOutboundBytes: 64 * KIB, outboundHighWaterBytes: 2 * KIB });
    const c = new FrameClient({ port: echo.port, reconnect: false });
    clients.push(c);
    const connection: FrameConnection = await c.connect();
    const burst = 8;
    let received = collect(connection, burst);
    for (let i = 0; i < burst; i++) connection.send(FrameKind.DATA, 0, i, Buffer.alloc(512, i));
    expect(await received).toHaveLength(burst);
    // The server must still be reading: a later request is answered.
    received = collect(connection, 1);
    connection.send(FrameKind.DATA, 0, 99, Buffer.from('after the burst'));
    expect((await received)[0].toString()).toBe('after the burst');
  });

  it('pauses and resumes reading on request (pauseReading/resumeReading)', async () => {
    echo = await startEchoServer();
    const c = new FrameClient({ port: echo.port, reconnect: false });
    clients.push(c);
    const connection = await c.connect();
    let got = 0;
    connection.start({ onFrame: () => got++ });
    connection.pauseReading();
    connection.send(FrameKind.DATA, 0, 1, Buffer.from('x'));
    const serverSide = await echo.nextConnection();
    // A fixed window on purpose: the echo would arrive in it if reading were not paused (an absence has no event).
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(got).toBe(0);
    expect(serverSide.state).toBe('open');
    const resumed = once(connection.socket as Socket, 'data');
    connection.resumeReading();
    await resumed;
    expect(got).toBe(1);
  });
});
