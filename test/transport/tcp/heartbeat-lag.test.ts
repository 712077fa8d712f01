// The heartbeat after a blocked event loop: peers whose PONG already arrived are never closed; a silent one still is.
import * as net from 'node:net';
import { CloseCode, FrameClient, FrameKind } from '../../../src/transport';
import { startEchoServer, type EchoServer } from './helpers';
import { RawPeer, rawFrame, type RawFrame } from './raw-peer';

const INTERVAL_MS = 100;
const TIMEOUT_MS = 200;
const PEERS = 10;

let echo: EchoServer | undefined;
const peers: RawPeer[] = [];
const sockets: net.Socket[] = [];
let triggerServer: net.Server | undefined;
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await new Promise((resolve) => (triggerServer ? triggerServer.close(resolve) : resolve(undefined)));
  triggerServer = undefined;
  await Promise.all(peers.splice(0).map((peer) => peer.destroy()));
  await echo?.server.close(0);
  echo = undefined;
});

/**
 * Runs `work` inside a socket 'data' callback, i.e. in the poll phase, as a busy RPC handler does: after
 * it, the loop's next pass runs the timers (now overdue) before it polls the sockets again.
 */
async function inIoCallback(work: () => void): Promise<void> {
  const done = new Promise<void>((resolve) => {
    triggerServer = net.createServer((socket) => {
      sockets.push(socket);
      socket.once('data', () => {
        work();
        resolve();
      });
    });
  });
  await new Promise<void>((resolve) => triggerServer!.listen(0, '127.0.0.1', resolve));
  const client = net.connect((triggerServer!.address() as net.AddressInfo).port, '127.0.0.1');
  sockets.push(client);
  client.write('x');
  await done;
}

/** Blocks this process's event loop (a busy handler) until performance.now() reaches `until`. */
function blockLoopUntil(until: number): void {
  while (performance.now() < until) {
    // busy: nothing else runs, sockets are not read
  }
}

/** Resolves with the peer's next PING (after frame index `from`), or undefined once the socket closed. */
async function nextPing(peer: RawPeer, from: number): Promise<RawFrame | undefined> {
  try {
    return await peer.nextFrame((f) => f.kind === FrameKind.PING, from);
  } catch {
    return undefined;
  }
}

/** Answers every PING but the first at once; the first is answered by `firstRound`. */
async function answerPings(peer: RawPeer, first: RawFrame): Promise<void> {
  let from = peer.frames.indexOf(first) + 1;
  for (;;) {
    const ping = await nextPing(peer, from);
    if (!ping) return;
    from = peer.frames.indexOf(ping) + 1;
    peer.write(rawFrame(FrameKind.PONG, 0, 0, ping.payload));
  }
}

/**
 * Connects PEERS answering peers and one silent peer. When every answering peer has its first PING, it
 * waits 50 ms (a slow client), writes all the PONGs, then blocks the loop until `blockUntil(lastPingAt)`:
 * the PONGs sit unread in the server's socket buffers while its heartbeat timeouts come due.
 */
async function scenario(blockUntil: (lastPingAt: number) => number): Promise<{ silent: RawPeer; answering: RawPeer[] }> {
  echo = await startEchoServer({ heartbeatIntervalMs: INTERVAL_MS, heartbeatTimeoutMs: TIMEOUT_MS });
  const answering = await Promise.all(Array.from({ length: PEERS }, () => RawPeer.connect(echo!.port)));
  const silent = await RawPeer.connect(echo.port);
  peers.push(...answering, silent);
  const firstPings = await Promise.all(answering.map(async (peer) => ({ peer, ping: (await nextPing(peer, 0))!, at: performance.now() })));
  const lastPingAt = Math.max(...firstPings.map((p) => p.at));
  await new Promise((resolve) => setTimeout(resolve, 50));
  await inIoCallback(() => {
    // The PONGs reach the server's socket buffers while its loop is blocked: it cannot read them.
    for (const { peer, ping } of firstPings) peer.write(rawFrame(FrameKind.PONG, 0, 0, ping.payload));
    blockLoopUntil(blockUntil(lastPingAt));
  });
  for (const { peer, ping } of firstPings) void answerPings(peer, ping);
  return { silent, answering };
}

async function expectOnlySilentClosed(silent: RawPeer, answering: RawPeer[]): Promise<void> {
  const goaway = await silent.goaway();
  expect(goaway).toMatchObject({ code: CloseCode.TIMEOUT, reason: `no answer to PING within heartbeatTimeoutMs (${TIMEOUT_MS} ms)` });
  // A few more heartbeat rounds: the answering peers stay open through them.
  await new Promise((resolve) => setTimeout(resolve, 2 * (INTERVAL_MS + TIMEOUT_MS)));
  expect(answering.filter((peer) => peer.socket.destroyed || peer.frames.some((f) => f.kind === FrameKind.GOAWAY))).toEqual([]);
  expect(echo!.closes.map((c) => c.code)).toEqual([CloseCode.TIMEOUT]);
}

describe('heartbeat after the event loop was blocked', () => {
  it('a block much longer than heartbeatTimeoutMs: no answering peer is closed; the silent one still is', async () => {
    const { silent, answering } = await scenario((lastPingAt) => lastPingAt + 3 * TIMEOUT_MS);
    await expectOnlySilentClosed(silent, answering);
  });

  it('a block ending just after the timeouts came due: answers waiting unread in the socket are read before judging', async () => {
    const { silent, answering } = await scenario((lastPingAt) => lastPingAt + TIMEOUT_MS + 30);
    await expectOnlySilentClosed(silent, answering);
  });
});

describe('heartbeat when our own PING left late', () => {
  it('the loop blocks after the PING is queued but before it is flushed: the peer gets a full heartbeatTimeoutMs once it is out', async () => {
    echo = await startEchoServer({ heartbeatIntervalMs: INTERVAL_MS, heartbeatTimeoutMs: TIMEOUT_MS });
    const serverConnection = echo.nextConnection();
    const client = new FrameClient({ port: echo.port, reconnect: false, heartbeatIntervalMs: 0 }); // answers PINGs, sends none
    try {
      await client.connect();
      const connection = await serverConnection;
      const sendPing = connection.sendPing.bind(connection);
      let blocked = false;
      connection.sendPing = (payload: Buffer): void => {
        if (!blocked) {
          blocked = true;
          // Runs in the check phase before the flush that would send the PING: it leaves 3 timeouts late.
          setImmediate(() => blockLoopUntil(performance.now() + 3 * TIMEOUT_MS));
        }
        sendPing(payload);
      };
      // Several heartbeat rounds after the block: the connection stays open through them.
      await new Promise((resolve) => setTimeout(resolve, 3 * TIMEOUT_MS + 2 * (INTERVAL_MS + TIMEOUT_MS)));
      expect(blocked).toBe(true);
      expect(echo.closes).toEqual([]);
      expect(connection.state).toBe('open');
    } finally {
      client.close();
    }
  });
});
