// A hand-driven peer for protocol tests: a plain node:net socket that writes exactly the bytes a test
// chooses and parses what comes back with the real NodeFrameDecoder.
import * as net from 'node:net';
import { NodeFrameDecoder, decodeGoaway, encodePreface, resolveTransportOptions, FrameKind, type TransportOptions } from '../../../src/transport';
import { writeFrameHeader } from '../../../src/codec/frame-header';
import { localPreface } from '../../../src/transport/tcp/handshake';
import { FRAME_HEADER_BYTES, PREFACE_BYTES, Role } from '../../../src/codec/wire';

/** One frame read back from the server (payload copied). */
export interface RawFrame {
  readonly kind: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payload: Buffer;
}

/** Encodes a frame by hand: header with any length/kind/flags, then exactly `payload`. */
export function rawFrame(kind: number, flags: number, streamId: number, payload: Buffer = Buffer.alloc(0), declaredLength = payload.length): Buffer {
  const frame = Buffer.alloc(FRAME_HEADER_BYTES + payload.length);
  writeFrameHeader(frame, 0, declaredLength, kind, flags, streamId);
  payload.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

/** The preface a FrameClient with `options` would send. */
export function validPreface(options: Partial<TransportOptions> = {}): Buffer {
  return Buffer.from(encodePreface(localPreface(resolveTransportOptions(options), Role.CLIENT)));
}

/**
 * A raw TCP peer. Incoming bytes are either the server's preface followed by frames, or (when the
 * server refuses the handshake) frames right away; both are parsed into `frames`.
 */
export class RawPeer {
  readonly frames: RawFrame[] = [];
  serverPreface: Buffer | undefined;
  /** Resolves when the socket has closed (either side). */
  readonly closed: Promise<void>;
  private pending = Buffer.alloc(0);
  private sawFirstByte = false;
  private readonly decoder = new NodeFrameDecoder(64 * 1024 * 1024, {
    onFrame: (kind, flags, streamId, payload) => {
      this.frames.push({ kind, flags, streamId, payload: Buffer.from(payload) });
      this.wake();
    },
  });
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: net.Socket) {
    socket.on('error', () => {
      // A reset by the server is an expected outcome of these tests; `closed` reports it.
    });
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        resolve();
        this.wake();
      }),
    );
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  /** Connects to 127.0.0.1:`port`; sends a valid preface (without compression, so replies are readable as is) unless told otherwise. */
  static async connect(port: number, preface: Buffer | false = validPreface({ compression: false })): Promise<RawPeer> {
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const peer = new RawPeer(socket);
    if (preface) socket.write(preface);
    return peer;
  }

  write(bytes: Buffer): boolean {
    return this.socket.write(bytes);
  }

  /** Writes `bytes` one byte at a time, `intervalMs` apart, until done or the socket closes. */
  async trickle(bytes: Buffer, intervalMs: number): Promise<void> {
    for (let i = 0; i < bytes.length && !this.socket.destroyed && this.socket.writable; i++) {
      this.socket.write(bytes.subarray(i, i + 1));
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  /** Resolves with the first frame matching `predicate`, rejects if the socket closes without one. */
  async nextFrame(predicate: (frame: RawFrame) => boolean = () => true, from = 0): Promise<RawFrame> {
    for (;;) {
      const found = this.frames.slice(from).find(predicate);
      if (found) return found;
      if (this.socket.destroyed) throw new Error(`socket closed without the expected frame; got kinds [${this.frames.map((f) => f.kind)}]`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Resolves with the GOAWAY the server sent (code and reason). */
  async goaway(): Promise<{ code: number; lastCallId: number; reason: string }> {
    const frame = await this.nextFrame((f) => f.kind === FrameKind.GOAWAY);
    return decodeGoaway(frame.payload);
  }

  /** Resolves once `count` frames of `kind` were received. */
  async waitForCount(kind: number, count: number): Promise<void> {
    for (;;) {
      if (this.frames.filter((f) => f.kind === kind).length >= count) return;
      if (this.socket.destroyed) throw new Error(`socket closed after ${this.frames.length} frames`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  destroy(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  private onData(chunk: Buffer): void {
    if (!this.sawFirstByte) {
      this.pending = Buffer.concat([this.pending, chunk]);
      // A refusal is a GOAWAY frame at once (first byte 0x00); otherwise the 12-byte preface comes first.
      if (this.pending[0] === 0x00) {
        this.sawFirstByte = true;
        chunk = this.pending;
      } else {
        if (this.pending.length < PREFACE_BYTES) return;
        this.sawFirstByte = true;
        this.serverPreface = this.pending.subarray(0, PREFACE_BYTES);
        chunk = this.pending.subarray(PREFACE_BYTES);
      }
      this.pending = Buffer.alloc(0);
    }
    this.decoder.push(chunk);
  }
}
