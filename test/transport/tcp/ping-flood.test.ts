// PING floods: PINGs are answered at a capped rate, and a peer far above it is closed with TOO_MANY_PINGS.
import { CloseCode, FrameKind, resolveTransportOptions } from '../../../src/transport';
import { TokenBucket } from '../../../src/transport/rate-limiter';
import { startEchoServer, type EchoServer } from './helpers';
import { RawPeer, rawFrame } from './raw-peer';

let echo: EchoServer | undefined;
const peers: RawPeer[] = [];

afterEach(async () => {
  await Promise.all(peers.splice(0).map((peer) => peer.destroy()));
  await echo?.server.close(0);
  echo = undefined;
});

async function rawPeer(port: number): Promise<RawPeer> {
  const peer = await RawPeer.connect(port);
  peers.push(peer);
  return peer;
}

function pings(count: number): Buffer {
  return Buffer.concat(
    Array.from({ length: count }, (_, i) => {
      const payload = Buffer.alloc(8);
      payload.writeUInt32BE(i, 4);
      return rawFrame(FrameKind.PING, 0, 0, payload);
    }),
  );
}

const pongs = (peer: RawPeer): number => peer.frames.filter((f) => f.kind === FrameKind.PONG).length;

describe('PING rate limit', () => {
  it('a peer flooding PINGs is closed with TOO_MANY_PINGS after a bounded number of PONGs', async () => {
    echo = await startEchoServer({ maxPingsPerSecond: 10, pingBurst: 20 });
    const peer = await rawPeer(echo.port);
    peer.write(pings(20_000)); // 360 KB of PINGs in one go
    const goaway = await peer.goaway();
    expect(goaway.code).toBe(CloseCode.TOO_MANY_PINGS);
    expect(goaway.reason).toMatch(/too many PINGs: more than maxPingsPerSecond \(10\/s, burst 20\)/);
    const info = await echo.nextClose();
    expect(info).toMatchObject({ code: CloseCode.TOO_MANY_PINGS, remote: false });
    // The burst was answered, then almost nothing (a token or two may refill while the flood is read).
    expect(pongs(peer)).toBeGreaterThanOrEqual(20);
    expect(pongs(peer)).toBeLessThanOrEqual(25);
    await peer.closed;
  });

  it('answers PINGs within the burst, leaves a few beyond it unanswered without closing, and answers again once tokens refill', async () => {
    echo = await startEchoServer({ maxPingsPerSecond: 100, pingBurst: 5 });
    const peer = await rawPeer(echo.port);
    peer.write(pings(8)); // 5 answered, 3 beyond: under the flood threshold (more than 5 unanswered)
    await peer.waitForCount(FrameKind.PONG, 5);
    // A DATA frame after them, echoed: proves the 3 extra PINGs were read and left unanswered.
    peer.write(rawFrame(FrameKind.DATA, 0, 1, Buffer.from('after')));
    await peer.nextFrame((f) => f.kind === FrameKind.DATA);
    expect(pongs(peer)).toBe(5);
    // 100/s refills a token every 10 ms: a PING sent a little later is answered again.
    for (let attempt = 0; attempt < 50 && pongs(peer) === 5; attempt++) {
      peer.write(pings(1));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(pongs(peer)).toBeGreaterThan(5);
    expect(peer.socket.destroyed).toBe(false);
    expect(echo.closes).toEqual([]);
  });

  it('the defaults answer a heartbeat-paced peer (one PING per 30 ms) indefinitely', () => {
    const options = resolveTransportOptions();
    expect(options.maxPingsPerSecond).toBe(50);
    expect(options.pingBurst).toBe(100);
    let now = 0;
    const bucket = new TokenBucket(options.maxPingsPerSecond, options.pingBurst, () => now);
    let answered = 0;
    for (let i = 0; i < 10_000; i++, now += 30) if (bucket.take()) answered++;
    expect(answered).toBe(10_000);
  });

  it.each([
    [{ maxPingsPerSecond: 0 }, 'maxPingsPerSecond'],
    [{ maxPingsPerSecond: Number.NaN }, 'maxPingsPerSecond'],
    [{ pingBurst: 0 }, 'pingBurst'],
    [{ pingBurst: 2.5 }, 'pingBurst'],
  ])('rejects %p naming %s', (partial, field) => {
    expect(() => resolveTransportOptions(partial)).toThrow(new RegExp(`transport option ${field}`));
  });
});

describe('TokenBucket', () => {
  it('admits a burst, then one event per 1/rate seconds, never more than the burst after idling', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now += 100;
    expect([bucket.take(), bucket.take()]).toEqual([true, false]);
    now += 60_000;
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });

  it('with an infinite rate admits everything, even with no time passing', () => {
    const bucket = new TokenBucket(Infinity, 1, () => 0);
    expect(Array.from({ length: 1000 }, () => bucket.take()).every(Boolean)).toBe(true);
  });
});
