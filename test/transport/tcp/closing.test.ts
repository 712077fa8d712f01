// How a connection says goodbye: the reason always reaches a peer that reads, even behind a backlog.
import type { Socket } from 'node:net';
import * as net from 'node:net';
import { FrameClient, FrameKind, FrameServer, CloseCode, type FrameConnection, type CloseInfo } from '../../../src/transport';
import { NodeFrameDecoder } from '../../../src/transport/node/node-frame-decoder';
import { encodePreface } from '../../../src/codec/preface';
import { decodeGoaway } from '../../../src/codec/goaway';
import { PREFACE_BYTES, PROTOCOL_VERSION, Role } from '../../../src/codec/wire';

/** A raw peer that completes the handshake, then reads nothing until told to. */
async function stalledPeer(port: number): Promise<{ socket: net.Socket; readAll: () => Promise<{ kinds: number[]; goaway?: { code: number; reason: string } }> }> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(encodePreface({ version: PROTOCOL_VERSION, features: 0, role: Role.CLIENT, keyCheck: 0, connectionWindow: 1 << 20, streamWindow: 1 << 20 }));
  const preface = await new Promise<Buffer>((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk)));
  socket.pause();
  const leftover = preface.subarray(PREFACE_BYTES);
  return {
    socket,
    readAll: () =>
      new Promise((resolve) => {
        const kinds: number[] = [];
        let goaway: { code: number; reason: string } | undefined;
        const decoder = new NodeFrameDecoder(1 << 20, {
          onFrame: (kind, _flags, _id, payload) => {
            kinds.push(kind);
            if (kind === FrameKind.GOAWAY) goaway = decodeGoaway(payload);
          },
        });
        if (leftover.length > 0) decoder.push(leftover);
        socket.on('data', (chunk: Buffer) => decoder.push(chunk));
        socket.once('end', () => resolve({ kinds, goaway }));
        socket.resume();
      }),
  };
}

describe('closing a connection', () => {
  it('delivers the GOAWAY reason after a backlog the peer had stopped reading', async () => {
    const server = new FrameServer({ maxOutboundBytes: 512 * 1024, outboundHighWaterBytes: 64 * 1024, closeTimeoutMs: 5000, heartbeatIntervalMs: 0 });
    const opened = new Promise<FrameConnection>((resolve) => server.once('connection', resolve));
    const { port } = await server.listen(0);
    const peer = await stalledPeer(port);
    const connection = await opened;
    const closed = new Promise<CloseInfo>((resolve) => connection.once('close', resolve));
    const chunk = Buffer.alloc(8 * 1024, 1);
    // Fill the socket until it applies backpressure, so later frames wait in the queue.
    while (!connection.socket.writableNeedDrain) {
      connection.send(FrameKind.DATA, 0, 1, chunk);
      connection.flush();
    }
    connection.send(FrameKind.DATA, 0, 1, chunk);
    connection.close(CloseCode.NORMAL, 'bye, slow one');
    const { kinds, goaway } = await peer.readAll();
    expect(kinds[kinds.length - 1]).toBe(FrameKind.GOAWAY);
    expect(goaway).toMatchObject({ code: CloseCode.NORMAL, reason: 'bye, slow one' });
    expect((await closed).reason).toBe('bye, slow one');
    peer.socket.destroy();
    await server.close();
  });

  it('sends a single GOAWAY when shutting down an idle connection', async () => {
    const server = new FrameServer({ heartbeatIntervalMs: 0 });
    const { port } = await server.listen(0);
    const peer = await stalledPeer(port);
    await new Promise<void>((resolve) => (server.connections.size > 0 ? resolve() : server.once('connection', () => resolve())));
    const reading = peer.readAll();
    await server.close(1000);
    const { kinds, goaway } = await reading;
    expect(kinds.filter((kind) => kind === FrameKind.GOAWAY)).toHaveLength(1);
    expect(goaway?.code).toBe(CloseCode.SHUTTING_DOWN);
    peer.socket.destroy();
  });

  it.each([
    ['does not compress by default, even to a peer that accepts it', {}, 0],
    ['compresses with sendCompression', { sendCompression: true }, 1],
  ])('%s', async (_name, sending, compressedFlag) => {
    const server = new FrameServer({ ...sending, compressMinBytes: 16, heartbeatIntervalMs: 0 });
    const flags: number[] = [];
    server.on('connection', (connection) => connection.start({ onFrame: (kind, _f, id, payload) => connection.send(kind, 0, id, payload) }));
    const { port } = await server.listen(0);
    const client = new FrameClient({ port, reconnect: false, compressMinBytes: 16 });
    const connection = await client.connect();
    const echoed = new Promise<void>((resolve) => connection.start({ onFrame: () => resolve() }));
    // Observe the raw flags byte of what the server sends.
    (connection.socket as Socket).prependListener('data', (chunk: Buffer) => flags.push(chunk[5]));
    connection.send(FrameKind.DATA, 0, 1, Buffer.alloc(4096, 7));
    await echoed;
    expect(flags[0] & 0b1).toBe(compressedFlag);
    client.close();
    await server.close();
  });
});
