// A raw peer that writes frames of every kind and never reads: bounded memory, a stated close, others unaffected.
import { once } from 'node:events';
import { createClient, RpcServer, type CloseInfo } from '../../src';
import { Channel } from '../../src/client/channel';
import { encodeCallHeader } from '../../src/rpc/call-header';
import { CloseCode, FrameFlag, FrameKind } from '../../src/codec/wire';
import { Payload, TestServiceDefinition } from '../../generated/test/testing';
import { defaultHandlers, recordingLogger } from '../rpc/harness';
import { RawPeer, rawFrame } from '../transport/tcp/raw-peer';

const MIB = 1024 * 1024;
const UNARY = Buffer.from('/test.v1.TestService/Unary', 'latin1');

let server: RpcServer | undefined;
let channel: Channel | undefined;
afterEach(async () => {
  channel?.close();
  await server?.close(0);
});

test('every frame kind, written without ever reading: the server closes it with a stated reason, memory bounded, a second client served throughout', async () => {
  const logger = recordingLogger();
  server = new RpcServer({ logger });
  server.addService(TestServiceDefinition, defaultHandlers());
  const { port } = await server.listen(0);
  const closes: CloseInfo[] = [];
  server.on('connection', (connection) => connection.once('close', (info) => closes.push(info)));

  channel = new Channel({ port });
  const client = createClient(TestServiceDefinition, channel);
  await channel.connect();

  const peer = await RawPeer.connect(port);
  peer.socket.pause(); // never reads a byte
  const request = Buffer.from(Payload.encode({ body: Buffer.alloc(1024, 1), seq: 1 }).finish());
  const call = encodeCallHeader(UNARY, 0, undefined, request);
  const window = Buffer.alloc(4);
  window.writeUInt32BE(1000, 0);
  const batch = (id: number): Buffer =>
    Buffer.concat([
      rawFrame(FrameKind.CALL, FrameFlag.END_STREAM, id, call),
      rawFrame(FrameKind.PING, 0, 0, Buffer.alloc(8, id & 0xff)),
      rawFrame(FrameKind.WINDOW, 0, id, window),
      rawFrame(FrameKind.CANCEL, 0, id + 2, Buffer.alloc(0)),
      rawFrame(FrameKind.HALF_CLOSE, 0, id, Buffer.alloc(0)),
      rawFrame(FrameKind.DATA, 0, 5, Buffer.alloc(64)),
    ]);

  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  let served = 0;
  const healthy = (async () => {
    while (!peer.socket.destroyed && served < 10_000) {
      const reply = await client.unary({ body: Buffer.from('still here'), seq: served });
      expect(reply.seq).toBe(served++);
    }
  })();
  const deadline = Date.now() + 15_000;
  let id = 1;
  // Bounded in frames and time; stops as soon as the server closes the connection.
  while (!peer.socket.destroyed && Date.now() < deadline && id < 2_000_000) {
    if (peer.socket.writableLength > MIB) {
      await Promise.race([once(peer.socket, 'drain'), peer.closed, new Promise((resolve) => setTimeout(resolve, 50))]);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      continue;
    }
    peer.write(batch(id));
    id += 4;
    if (id % 256 === 1) await new Promise((resolve) => setImmediate(resolve)); // let the server read
  }
  await peer.closed;
  await healthy;

  expect(closes).toHaveLength(1);
  // It is closed, not left to grow: for overflowing what it never reads, or for its PINGs (section 8 of docs/protocol.md).
  expect([CloseCode.OUTBOUND_OVERFLOW, CloseCode.TOO_MANY_PINGS, CloseCode.FLOW_CONTROL_ERROR]).toContain(closes[0].code);
  expect(closes[0].reason.length).toBeGreaterThan(10);
  // The server says why it closed the connection, once (log lines about one peer are rate-limited).
  expect(logger.warnings.some((w) => w.message.includes(closes[0].reason))).toBe(true);
  // The stated bound: maxOutboundBytes (8 MiB) of frames for it, plus its connection window (8 MiB) of requests.
  expect(peakRss - rssBefore).toBeLessThan(64 * MIB);
  expect(served).toBeGreaterThan(0);
  expect(channel.state).toBe('open');
}, 30_000);
