// Rapid reset: a client opening and cancelling calls far above maxCancelsPerSecond is disconnected; others are not.
import { Delay } from '../../generated/test/testing';
import { RpcServer, Status } from '../../src';
import { CloseCode, FrameKind } from '../../src/transport';
import { RawRpcClient } from '../rpc/raw-rpc';
import { startHarness, type Harness } from '../rpc/harness';
import { heldSleep } from '../rpc/held-call';

const SLEEP = '/test.v1.TestService/Sleep';
const LONG_SLEEP = Buffer.from(Delay.encode({ ms: 10_000, text: '' }).finish());

let h: Harness | undefined;
const raws: RawRpcClient[] = [];
afterEach(async () => {
  await Promise.all(raws.splice(0).map((raw) => raw.destroy()));
  await h?.close();
  h = undefined;
});

async function raw(port: number): Promise<RawRpcClient> {
  const client = await RawRpcClient.connect(port);
  raws.push(client);
  return client;
}

/** Opens `count` long calls and cancels each right away, all in one write. */
function openAndCancel(client: RawRpcClient, count: number, firstId = 1): void {
  for (let id = firstId; id < firstId + count; id++) {
    client.call(id, SLEEP, { message: LONG_SLEEP });
    client.cancel(id);
  }
}

describe('rapid reset (maxCancelsPerSecond)', () => {
  it('closes a client that opens and cancels calls far above the rate with RAPID_RESET; another connection carries on', async () => {
    const held = heldSleep();
    h = await startHarness({ sleep: held.sleep }, { server: { maxCancelsPerSecond: 10, cancelBurst: 20 } });
    const attacker = await raw(h.port);
    const other = h.client.sleep({ ms: 0, text: 'unaffected' });
    await held.running; // in flight on the other connection while the attacker is closed
    openAndCancel(attacker, 200);
    const goaway = await attacker.peer.goaway();
    expect(goaway.code).toBe(CloseCode.RAPID_RESET);
    expect(goaway.reason).toMatch(/calls opened and cancelled too fast: more than maxCancelsPerSecond \(10\/s, burst 20\)/);
    await attacker.peer.closed;
    held.release();
    expect((await other).text).toBe('unaffected');
    expect((await h.client.unary({ body: Buffer.from('later'), seq: 5 })).seq).toBe(5);
  });

  it('within the burst, cancellations are just cancellations: the connection stays open and serves the next call', async () => {
    h = await startHarness({}, { server: { maxCancelsPerSecond: 10, cancelBurst: 20 } });
    const client = await raw(h.port);
    openAndCancel(client, 20);
    client.call(100, '/test.v1.TestService/Unary', { message: Buffer.alloc(0) });
    const status = await client.status(100);
    expect(status.code).toBe(Status.OK);
    expect(client.peer.frames.some((f) => f.kind === FrameKind.GOAWAY)).toBe(false);
  });

  it('CANCELs for ids not in flight are not counted (they cost nothing and may cross a STATUS)', async () => {
    h = await startHarness({}, { server: { maxCancelsPerSecond: 10, cancelBurst: 5 } });
    const client = await raw(h.port);
    for (let id = 1; id <= 100; id++) client.cancel(id);
    client.call(200, '/test.v1.TestService/Unary', { message: Buffer.alloc(0) });
    expect((await client.status(200)).code).toBe(Status.OK);
  });

  it.each([
    [{ maxCancelsPerSecond: 0 }, 'maxCancelsPerSecond'],
    [{ cancelBurst: -1 }, 'cancelBurst'],
  ])('rejects %p naming %s', (options, field) => {
    expect(() => new RpcServer(options)).toThrow(new RegExp(`server option ${field}`));
  });
});
