// Child process: the raw node:net peers. Same 10-byte frame header as framerpc, no preface.
//   mode=merged: every response of one 'data' event is encoded into one buffer, one socket.write (strong peer).
//   mode=naive:  every response is its own buffer and its own socket.write (what a first attempt looks like).
import * as net from 'node:net';
import { stringArg } from '../child/args';
import { serveInChild } from '../child/serve-in-child';

const HEADER_BYTES = 10;

/** Splits a byte stream into complete frames; only a frame that spans chunks is copied (once). */
class FrameSplitter {
  private pending: Buffer | undefined;

  /** Calls `onFrame(buffer, start, end)` for each complete frame (header included) in the stream so far. */
  push(chunk: Buffer, onFrame: (buffer: Buffer, start: number, end: number) => void): void {
    let offset = 0;
    if (this.pending) {
      let pending = this.pending;
      if (pending.length < HEADER_BYTES) {
        const take = Math.min(HEADER_BYTES - pending.length, chunk.length);
        pending = Buffer.concat([pending, chunk.subarray(0, take)]);
        offset = take;
        if (pending.length < HEADER_BYTES) {
          this.pending = pending;
          return;
        }
      }
      const frameBytes = HEADER_BYTES + pending.readUInt32BE(0);
      const take = Math.min(frameBytes - pending.length, chunk.length - offset);
      pending = Buffer.concat([pending, chunk.subarray(offset, offset + take)]);
      offset += take;
      if (pending.length < frameBytes) {
        this.pending = pending;
        return;
      }
      this.pending = undefined;
      onFrame(pending, 0, frameBytes);
    }
    while (chunk.length - offset >= HEADER_BYTES) {
      const end = offset + HEADER_BYTES + chunk.readUInt32BE(offset);
      if (end > chunk.length) break;
      onFrame(chunk, offset, end);
      offset = end;
    }
    if (offset < chunk.length) this.pending = chunk.subarray(offset);
  }
}

function mergedEcho(socket: net.Socket): void {
  const splitter = new FrameSplitter();
  const sources: Buffer[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let total = 0;
  const collect = (buffer: Buffer, start: number, end: number): void => {
    sources.push(buffer);
    starts.push(start);
    ends.push(end);
    total += end - start;
  };
  socket.on('data', (chunk: Buffer) => {
    sources.length = starts.length = ends.length = 0;
    total = 0;
    splitter.push(chunk, collect);
    if (total === 0) return;
    // Encode each response (header + payload copy) into a single buffer, as a real server builds them.
    const out = Buffer.allocUnsafe(total);
    let at = 0;
    for (let i = 0; i < sources.length; i++) {
      const source = sources[i];
      const start = starts[i];
      const length = ends[i] - start - HEADER_BYTES;
      out.writeUInt32BE(length, at);
      out[at + 4] = source[start + 4];
      out[at + 5] = 0;
      out.writeUInt32BE(source.readUInt32BE(start + 6), at + 6);
      source.copy(out, at + HEADER_BYTES, start + HEADER_BYTES, ends[i]);
      at += HEADER_BYTES + length;
    }
    sources.length = 0;
    socket.write(out);
  });
}

function naiveEcho(socket: net.Socket): void {
  const splitter = new FrameSplitter();
  socket.on('data', (chunk: Buffer) => {
    splitter.push(chunk, (buffer, start, end) => {
      const out = Buffer.allocUnsafe(end - start);
      buffer.copy(out, 0, start, end);
      out[5] = 0;
      socket.write(out);
    });
  });
}

serveInChild(async () => {
  const mode = stringArg('mode') ?? 'merged';
  const handle = mode === 'naive' ? naiveEcho : mode === 'merged' ? mergedEcho : mode === 'idle' ? () => {} : undefined;
  if (!handle) throw new TypeError(`mode must be merged, naive or idle, got ${mode}`);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    connections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
});
