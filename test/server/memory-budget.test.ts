// Memory amplification through in-flight calls: what calls hold is bounded by windows and the server's budget.
import { once } from 'node:events';
import { RpcServer, Status } from '../../src';
import { encodeCallHeader } from '../../src/rpc/call-header';
import { decodeCallStatus } from '../../src/rpc/call-status';
import { writeFrameHeader } from '../../src/codec/frame-header';
import { FRAGMENT_BYTES, FRAME_HEADER_BYTES, FrameFlag, FrameKind } from '../../src/codec/wire';
import { Payload, TestServiceDefinition } from '../../generated/test/testing';
import { defaultHandlers } from '../rpc/harness';
import { RawPeer, validPreface } from '../transport/tcp/raw-peer';

const UNARY = Buffer.from('/test.v1.TestService/Unary', 'latin1');
const MIB = 1024 * 1024;

/**
 * A raw client that keeps to flow control as docs/protocol.md section 9 says (whole-message connection
 * credit, WINDOW grants on stream 0), sending every call's request from one shared buffer: it holds one
 * request's bytes however many calls it makes, so the test measures the server alone.
 */
class FlowControlledCaller {
  private credit: number;
  private seenFrames = 0;
  readonly statuses = new Map<number, number>();

  private constructor(
    readonly peer: RawPeer,
    connectionWindow: number,
  ) {
    this.credit = connectionWindow;
  }

  static async connect(port: number): Promise<FlowControlledCaller> {
    const peer = await RawPeer.connect(port, validPreface({ compression: false }));
    while (!peer.serverPreface) await once(peer.socket, 'data'); // the server's preface

    return new FlowControlledCaller(peer, peer.serverPreface.readUInt32BE(12));
  }

  /** Opens `count` calls at once, then sends each request as credit allows; resolves when every call has a status. */
  async run(count: number, request: Buffer): Promise<Map<number, number>> {
    for (let id = 1; id <= count; id++) {
      this.peer.write(frame(FrameKind.CALL, 0, id, encodeCallHeader(UNARY, 0, undefined, undefined)));
    }
    for (let id = 1; id <= count; id++) {
      while (!this.statuses.has(id) && this.credit < request.length) await this.nextFrames();
      this.absorb();
      if (this.statuses.has(id)) continue; // refused before its request went: nothing to send
      this.credit -= request.length;
      for (let at = 0; at < request.length; at += FRAGMENT_BYTES) {
        const end = Math.min(request.length, at + FRAGMENT_BYTES);
        const flags = end < request.length ? FrameFlag.MORE : FrameFlag.END_STREAM;
        const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
        writeFrameHeader(header, 0, end - at, FrameKind.MESSAGE, flags, id);
        this.peer.write(header);
        this.peer.write(request.subarray(at, end));
      }
    }
    while (this.statuses.size < count) await this.nextFrames();
    return this.statuses;
  }

  private async nextFrames(): Promise<void> {
    await this.peer.nextFrame(() => true, this.seenFrames);
    this.absorb();
  }

  private absorb(): void {
    const frames = this.peer.frames;
    for (; this.seenFrames < frames.length; this.seenFrames++) {
      const f = frames[this.seenFrames];
      if (f.kind === FrameKind.WINDOW && f.streamId === 0) this.credit += f.payload.readUInt32BE(0);
      if (f.kind === FrameKind.STATUS) this.statuses.set(f.streamId, decodeCallStatus(f.payload).code);
    }
    frames.length = 0; // hold nothing: this caller reads frames once
    this.seenFrames = 0;
  }
}

function frame(kind: number, flags: number, id: number, payload: Buffer): Buffer {
  const bytes = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  writeFrameHeader(bytes, 0, payload.length, kind, flags, id);
  payload.copy(bytes, FRAME_HEADER_BYTES);
  return bytes;
}

let server: RpcServer | undefined;
const callers: FlowControlledCaller[] = [];
afterEach(async () => {
  await Promise.all(callers.splice(0).map((c) => c.peer.destroy()));
  await server?.close(0);
  server = undefined;
});

async function slowServer(handlerMs: number): Promise<{ port: number; running: { now: number; max: number } }> {
  const running = { now: 0, max: 0 };
  server = new RpcServer({ memoryWaitMs: 300 });
  server.addService(TestServiceDefinition, {
    ...defaultHandlers(),
    async unary(request: Payload): Promise<Payload> {
      running.max = Math.max(running.max, ++running.now);
      await new Promise((resolve) => setTimeout(resolve, handlerMs));
      running.now--;
      return { body: Buffer.alloc(0), seq: request.body.length };
    },
  });
  const { port } = await server.listen(0);
  return { port, running };
}

// The request of the observed case: 3.9 MB, under the 4 MiB limit.
const REQUEST = Buffer.from(Payload.encode({ body: Buffer.alloc(3_900_000, 1), seq: 0 }).finish());

describe('in-flight calls holding large requests', () => {
  test('400 slow calls x 3.9 MB on one connection: the connection window (8 MiB) bounds what is held; every call completes or is refused RESOURCE_EXHAUSTED', async () => {
    const { port, running } = await slowServer(1000);
    const caller = await FlowControlledCaller.connect(port);
    callers.push(caller);
    const rssBefore = process.memoryUsage().rss;
    const statuses = await caller.run(400, REQUEST);
    const codes = [...statuses.values()];
    expect(codes.every((code) => code === Status.OK || code === Status.RESOURCE_EXHAUSTED)).toBe(true);
    expect(codes.filter((code) => code === Status.OK).length).toBeGreaterThanOrEqual(2);
    // Two 3.9 MB requests fit the 8 MiB window at a time: never more handlers than that held requests.
    expect(running.max).toBeLessThanOrEqual(2);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(128 * MIB);
  }, 20_000);

  test('20 such connections: server memory stays within 20 windows, and every call completes or is refused', async () => {
    const { port, running } = await slowServer(1000);
    const connected = await Promise.all(Array.from({ length: 20 }, () => FlowControlledCaller.connect(port)));
    callers.push(...connected);
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    try {
      const all = await Promise.all(connected.map((c) => c.run(400, REQUEST)));
      const codes = all.flatMap((statuses) => [...statuses.values()]);
      expect(codes).toHaveLength(8000);
      expect(codes.every((code) => code === Status.OK || code === Status.RESOURCE_EXHAUSTED)).toBe(true);
      expect(running.max).toBeLessThanOrEqual(40);
    } finally {
      clearInterval(sampler);
    }
    // 20 connections x 8 MiB windows = 160 MiB held at most, plus buffers: the stated bound is 512 MiB.
    expect(peakRss - rssBefore).toBeLessThan(512 * MIB);
  }, 30_000);
});
