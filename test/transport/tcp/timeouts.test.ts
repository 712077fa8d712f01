// Liveness and slow peers: handshake and frame-completion timeouts (slowloris), heartbeats, idle close.
// Timers are set to a few hundred milliseconds; the tests await the resulting events.
import { once } from 'node:events';
import { CloseCode, FrameClient, FrameKind, PING_PAYLOAD_BYTES, PREFACE_BYTES, type CloseInfo } from '../../../src/transport';
import { closeClient, expectHealthyEcho, startEchoServer, type EchoServer } from './helpers';
import { RawPeer, rawFrame, validPreface } from './raw-peer';

let echo: EchoServer | undefined;
const peers: RawPeer[] = [];
const clients: FrameClient[] = [];

afterEach(async () => {
  await Promise.all(peers.splice(0).map((peer) => peer.destroy()));
  await Promise.all(clients.splice(0).map(closeClient));
  await echo?.server.close(0);
  echo = undefined;
});

async function rawPeer(port: number, preface: Buffer | false = validPreface({ compression: false })): Promise<RawPeer> {
  const peer = await RawPeer.connect(port, preface);
  peers.push(peer);
  return peer;
}

function client(port: number, options: Partial<ConstructorParameters<typeof FrameClient>[0]> = {}): FrameClient {
  const c = new FrameClient({ port, reconnect: false, ...options });
  clients.push(c);
  return c;
}

describe('Slow peers (slowloris)', () => {
  it('refuses a peer that sends its preface one byte every 100 ms past handshakeTimeoutMs', async () => {
    echo = await startEchoServer({ handshakeTimeoutMs: 200, closeTimeoutMs: 200 });
    const peer = await rawPeer(echo.port, false);
    const started = Date.now();
    const trickling = peer.trickle(validPreface(), 100);
    const goaway = await peer.goaway();
    expect(goaway).toMatchObject({ code: CloseCode.TIMEOUT, reason: 'no preface within handshakeTimeoutMs (200 ms)' });
    expect(await echo.nextRejected()).toMatchObject({ code: CloseCode.TIMEOUT, reason: goaway.reason });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(1000);
    await peer.closed;
    await trickling;
    await expectHealthyEcho(echo.port);
  });

  it('closes a peer that sends a frame one byte every 100 ms past frameTimeoutMs', async () => {
    echo = await startEchoServer({ frameTimeoutMs: 200, closeTimeoutMs: 200 });
    const peer = await rawPeer(echo.port);
    const started = Date.now();
    const trickling = peer.trickle(rawFrame(FrameKind.DATA, 0, 1, Buffer.from('slow body')), 100);
    const goaway = await peer.goaway();
    expect(goaway).toMatchObject({ code: CloseCode.TIMEOUT, reason: 'frame not completed within frameTimeoutMs (200 ms)' });
    expect(await echo.nextClose()).toEqual({ code: CloseCode.TIMEOUT, reason: goaway.reason, remote: false });
    expect(Date.now() - started).toBeLessThan(1000);
    await peer.closed;
    await trickling;
    await expectHealthyEcho(echo.port);
  });

  it('times each frame separately: frames that each complete in time keep the connection open', async () => {
    echo = await startEchoServer({ frameTimeoutMs: 300 });
    const peer = await rawPeer(echo.port);
    // Four frames, each sent in two halves 120 ms apart: 480 ms in all, but no single frame takes 300 ms.
    for (let i = 1; i <= 4; i++) {
      const frame = rawFrame(FrameKind.DATA, 0, i, Buffer.from(`frame ${i}`));
      peer.write(frame.subarray(0, 7));
      await new Promise((resolve) => setTimeout(resolve, 120));
      peer.write(frame.subarray(7));
      await peer.waitForCount(FrameKind.DATA, i);
    }
    expect(echo.connections[0].state).toBe('open');
    expect(peer.frames.map((f) => f.payload.toString())).toEqual(['frame 1', 'frame 2', 'frame 3', 'frame 4']);
  });
});

describe('Heartbeats', () => {
  it('closes a peer that completes the handshake but never answers PINGs', async () => {
    echo = await startEchoServer({ heartbeatIntervalMs: 100, heartbeatTimeoutMs: 100, closeTimeoutMs: 200 });
    const peer = await rawPeer(echo.port);
    const goaway = await peer.goaway();
    expect(goaway).toMatchObject({ code: CloseCode.TIMEOUT, reason: 'no answer to PING within heartbeatTimeoutMs (100 ms)' });
    const pings = peer.frames.filter((f) => f.kind === FrameKind.PING);
    expect(pings).toHaveLength(1);
    expect(pings[0].payload).toHaveLength(PING_PAYLOAD_BYTES);
    expect(await echo.nextClose()).toEqual({ code: CloseCode.TIMEOUT, reason: goaway.reason, remote: false });
  });

  it('answers PINGs: a raw peer sending PING gets a PONG with the same 8 bytes', async () => {
    echo = await startEchoServer();
    const peer = await rawPeer(echo.port);
    peer.write(rawFrame(FrameKind.PING, 0, 0, Buffer.from('8 bytes!')));
    const pong = await peer.nextFrame((f) => f.kind === FrameKind.PONG);
    expect(pong).toEqual({ kind: FrameKind.PONG, flags: 0, streamId: 0, payload: Buffer.from('8 bytes!') });
  });

  it('keeps a FrameClient connected: it answers PINGs, for many heartbeat intervals', async () => {
    const heartbeat = { heartbeatIntervalMs: 40, heartbeatTimeoutMs: 150 };
    echo = await startEchoServer(heartbeat);
    const c = client(echo.port, heartbeat);
    const connection = await c.connect();
    const serverConnection = await echo.nextConnection();
    const closes: CloseInfo[] = [];
    connection.on('close', (info) => closes.push(info));
    // Ten intervals with no application traffic at all: only PING/PONG cross the wire (elapsed time is the subject).
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(closes).toEqual([]);
    expect(connection.state).toBe('open');
    expect(serverConnection.state).toBe('open');
    expect(serverConnection.socket.bytesRead).toBeGreaterThan(PREFACE_BYTES);
    expect(connection.socket.bytesRead).toBeGreaterThan(PREFACE_BYTES);
    await expectHealthyEcho(echo.port);
  });
});

describe('Idle timeout', () => {
  it('closes a connection with no application frames for idleTimeoutMs', async () => {
    // Heartbeats run fast but do not count as activity.
    echo = await startEchoServer({ idleTimeoutMs: 150, heartbeatIntervalMs: 30, heartbeatTimeoutMs: 1000 });
    const c = client(echo.port, { heartbeatIntervalMs: 30, heartbeatTimeoutMs: 1000 });
    const connection = await c.connect();
    const started = Date.now();
    const [goaway] = (await once(connection, 'goaway')) as [CloseInfo];
    expect(goaway).toMatchObject({ code: CloseCode.TIMEOUT, reason: 'idle for idleTimeoutMs (150 ms)', remote: true });
    const [closed] = (await once(connection, 'close')) as [CloseInfo];
    expect(goaway).toMatchObject(closed);
    expect(await echo.nextClose()).toEqual({ code: CloseCode.TIMEOUT, reason: 'idle for idleTimeoutMs (150 ms)', remote: false });
    // Closes between 1x and 2x idleTimeoutMs.
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(Date.now() - started).toBeLessThan(600);
  });

  it('keeps a connection with application traffic open past idleTimeoutMs', async () => {
    echo = await startEchoServer({ idleTimeoutMs: 100 });
    const c = client(echo.port);
    const connection = await c.connect();
    let echoed = 0;
    connection.start({ onFrame: () => echoed++ });
    // Elapsed time is the subject: a tick every 50 ms for 400 ms, four times idleTimeoutMs.
    for (let i = 0; i < 8; i++) {
      connection.send(FrameKind.DATA, 0, 1, Buffer.from('tick'));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(connection.state).toBe('open');
    expect(echoed).toBe(8);
  });

  it('does not close while work is in flight', async () => {
    echo = await startEchoServer({ idleTimeoutMs: 60 });
    const c = client(echo.port);
    const connection = await c.connect();
    const serverConnection = await echo.nextConnection();
    serverConnection.beginWork();
    // Elapsed time is the subject: work in flight for four times idleTimeoutMs.
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(connection.state).toBe('open');
    serverConnection.endWork();
    const [info] = (await once(connection, 'close')) as [CloseInfo];
    expect(info.reason).toBe('idle for idleTimeoutMs (60 ms)');
  });
});
