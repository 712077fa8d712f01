// The in-memory transport pair: real prefaces and frames without sockets, close reasons, backpressure, and an RpcServer/Channel over a MemoryNetwork.
import { once } from 'node:events';
import { CloseCode, FrameKind } from '../../../src/codec/wire';
import type { CloseInfo } from '../../../src/transport/close-info';
import { createMemoryStreamPair, createMemoryTransportPair, MemoryNetwork } from '../../../src/transport/memory';

function collect(frames: { kind: number; streamId: number; payload: Buffer }[]) {
  return { onFrame: (kind: number, _flags: number, streamId: number, payload: Buffer) => frames.push({ kind, streamId, payload: Buffer.from(payload) }) };
}

async function waitFor(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('memory byte streams', () => {
  it('deliver in order on a later pass, copy what was written, and hold data while paused', async () => {
    const [a, b] = createMemoryStreamPair();
    const got: Buffer[] = [];
    b.on('data', (chunk: Buffer) => got.push(chunk));
    const written = Buffer.from('hello');
    a.write(written);
    a.write(Buffer.from(' world'));
    written.fill(0); // the reader must see what was written, not later changes
    await new Promise((resolve) => setImmediate(resolve));
    expect(got).toHaveLength(0); // paused from the start, as an accepted socket
    b.resume();
    await waitFor(() => got.length === 2);
    expect(Buffer.concat(got).toString()).toBe('hello world');
    expect(b.bytesRead).toBe(11);
    expect(a.bytesWritten).toBe(11);
  });

  it('apply backpressure while the reader is paused and drain once it reads', async () => {
    const [a, b] = createMemoryStreamPair();
    b.on('data', () => undefined);
    let ok = true;
    for (let i = 0; i < 10 && ok; i++) ok = a.write(Buffer.alloc(16 * 1024));
    expect(ok).toBe(false);
    expect(a.writableNeedDrain).toBe(true);
    const drained = once(a, 'drain');
    b.resume();
    await drained;
    expect(a.writableLength).toBeLessThanOrEqual(64 * 1024);
  });

  it('close both ends after end() on one, and both on destroy()', async () => {
    const [a, b] = createMemoryStreamPair();
    b.resume();
    a.resume();
    const closedA = once(a, 'close');
    const closedB = once(b, 'close');
    a.end();
    await Promise.all([closedA, closedB]);
    const [c, d] = createMemoryStreamPair();
    const closedD = once(d, 'close');
    c.destroy();
    await closedD;
    expect(d.destroyed).toBe(true);
  });
});

describe('createMemoryTransportPair', () => {
  it('exchanges DATA frames both ways, with compression and obfuscation negotiated as over TCP', async () => {
    const options = { sendCompression: true, compressMinBytes: 16, xorKey: 'secret' };
    const pair = await createMemoryTransportPair({ client: options, server: options });
    try {
      const atServer: { kind: number; streamId: number; payload: Buffer }[] = [];
      const atClient: { kind: number; streamId: number; payload: Buffer }[] = [];
      pair.server.start(collect(atServer));
      pair.client.start(collect(atClient));
      const big = Buffer.alloc(200 * 1024, 'abc');
      pair.client.send(FrameKind.DATA, 0, 1, Buffer.from('ping'));
      pair.client.send(FrameKind.DATA, 0, 2, big);
      pair.server.send(FrameKind.DATA, 0, 3, Buffer.from('pong'));
      await waitFor(() => atServer.length === 2 && atClient.length === 1);
      expect(atServer.map((f) => f.streamId)).toEqual([1, 2]);
      expect(atServer[0].payload.toString()).toBe('ping');
      expect(atServer[1].payload.equals(big)).toBe(true);
      expect(atClient[0].payload.toString()).toBe('pong');
      expect(pair.client.encoding.xorKey).toBeDefined();
      expect(pair.client.bytesWritten).toBeLessThan(big.length); // the large frame went compressed
      expect(pair.server.bytesRead).toBe(pair.client.bytesWritten);
    } finally {
      await pair.close();
    }
  });

  it('a large compressed frame inflates off the event loop and the frames after it still arrive in order', async () => {
    const options = { sendCompression: true, compressMinBytes: 16 };
    const pair = await createMemoryTransportPair({ client: options, server: options });
    try {
      const atServer: { kind: number; streamId: number; payload: Buffer }[] = [];
      pair.server.start(collect(atServer));
      let seed = 1;
      const noise = Buffer.alloc(256 * 1024).map(() => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24); // compresses badly: stays large
      for (let id = 1; id <= 3; id++) {
        pair.client.send(FrameKind.DATA, 0, id * 10, noise);
        pair.client.send(FrameKind.DATA, 0, id * 10 + 1, Buffer.from(`small ${id}`));
      }
      await waitFor(() => atServer.length === 6);
      expect(atServer.map((f) => f.streamId)).toEqual([10, 11, 20, 21, 30, 31]);
      expect(atServer[0].payload.equals(noise)).toBe(true);
      expect(atServer[5].payload.toString()).toBe('small 3');
    } finally {
      await pair.close();
    }
  });

  it('a close right after a large compressed send (deflating off the loop) still delivers it before the GOAWAY', async () => {
    const options = { sendCompression: true, compressMinBytes: 16 };
    const pair = await createMemoryTransportPair({ client: options, server: options });
    const atServer: { kind: number; streamId: number; payload: Buffer }[] = [];
    pair.server.start(collect(atServer));
    const closed = once(pair.server, 'close') as Promise<[CloseInfo]>;
    const big = Buffer.alloc(512 * 1024, 'compressible ');
    pair.client.send(FrameKind.DATA, 0, 1, big);
    pair.client.send(FrameKind.DATA, 0, 2, Buffer.from('after'));
    big.fill(0); // the frame was taken at send time, as a synchronous write is
    pair.client.close(CloseCode.NORMAL, 'done');
    const [info] = await closed;
    expect(info).toEqual({ code: CloseCode.NORMAL, reason: 'done', remote: true });
    expect(atServer.map((f) => f.streamId)).toEqual([1, 2]);
    expect(atServer[0].payload.equals(Buffer.alloc(512 * 1024, 'compressible '))).toBe(true);
    await pair.close();
  });

  it('a close with a code reaches the other end as its GOAWAY reason', async () => {
    const pair = await createMemoryTransportPair();
    const closed = once(pair.client, 'close') as Promise<[CloseInfo]>;
    pair.server.close(CloseCode.PROTOCOL_ERROR, 'you broke it');
    const [info] = await closed;
    expect(info).toEqual({ code: CloseCode.PROTOCOL_ERROR, reason: 'you broke it', remote: true });
    expect(pair.server.state).not.toBe('open');
    await pair.close();
  });

  it('shutdown waits for in-flight work, and the peer sees GOAWAY SHUTTING_DOWN first', async () => {
    const pair = await createMemoryTransportPair();
    const goaway = once(pair.client, 'goaway') as Promise<[CloseInfo]>;
    pair.server.beginWork();
    let shutDown = false;
    const shutdown = pair.server.shutdown(5000, 'bye').then(() => (shutDown = true));
    const [info] = await goaway;
    expect(info.code).toBe(CloseCode.SHUTTING_DOWN);
    expect(pair.server.state).toBe('draining');
    expect(shutDown).toBe(false);
    pair.server.endWork();
    await shutdown;
    expect(pair.server.state).toBe('closed');
    await pair.close();
  });

  it('a peer that stops reading makes whenWritable wait until it reads again', async () => {
    const pair = await createMemoryTransportPair({ server: { outboundHighWaterBytes: 64 * 1024 } });
    try {
      let received = 0;
      pair.client.start({ onFrame: (_k, _f, _s, payload) => (received += payload.length) });
      pair.client.pauseReading();
      for (let i = 0; i < 20; i++) pair.server.send(FrameKind.DATA, 0, 1, Buffer.alloc(16 * 1024));
      let writable = false;
      const wait = pair.server.whenWritable().then(() => (writable = true));
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(writable).toBe(false);
      pair.client.resumeReading();
      await wait;
      await waitFor(() => received === 20 * 16 * 1024);
    } finally {
      await pair.close();
    }
  });
});

describe('MemoryNetwork', () => {
  it('refuses a dial to a port nothing listens on, as ECONNREFUSED', async () => {
    const network = new MemoryNetwork();
    const dialer = network.dialer({ port: 99, reconnect: false });
    await expect(dialer.connect()).rejects.toThrow(/ECONNREFUSED memory:99/);
  });
});
