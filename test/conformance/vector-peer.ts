// The client side of the handshake and call vectors: a plain socket that writes a vector's bytes as they
// are and reads back the server's preface (or refusal) and frames, payloads with the XOR key removed.
import * as net from 'node:net';
import { NodeFrameDecoder, FrameFlag, FrameKind, PREFACE_BYTES } from '../../src/transport';
import { writeFrameHeader } from '../../src/codec/frame-header';
import { FRAME_HEADER_BYTES } from '../../src/codec/wire';

/** A frame from the server: flags as on the wire, payload with the obfuscation removed. */
export interface ReceivedFrame {
  readonly kind: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payload: Buffer;
}

/** Longest a vector waits for the server to do something (bounded, never a fixed sleep). */
const WAIT_MS = 3000;

export class VectorPeer {
  readonly frames: ReceivedFrame[] = [];
  /** The server's preface, once received. */
  preface: Buffer | undefined;
  /** The server ended its side (FIN). */
  ended = false;
  closed = false;
  private pending: Buffer | undefined = Buffer.alloc(0);
  private wakers = new Set<() => void>();
  private readonly decoder: NodeFrameDecoder;

  private constructor(
    private readonly socket: net.Socket,
    xorKey: Buffer | undefined,
  ) {
    this.decoder = new NodeFrameDecoder(0xffff_ffff, {
      onFrame: (kind, flags, streamId, payload) => {
        const plain = Buffer.from(payload);
        if (xorKey && flags & FrameFlag.OBFUSCATED) for (let i = 0; i < plain.length; i++) plain[i] ^= xorKey[i % xorKey.length];
        this.frames.push({ kind, flags, streamId, payload: plain });
      },
    });
    socket.setNoDelay(true);
    socket.on('error', () => undefined); // a reset is an outcome the vector's expectations describe
    socket.on('data', (chunk: Buffer) => {
      this.onData(chunk);
      this.wake();
    });
    socket.once('end', () => {
      this.ended = true;
      this.wake();
    });
    socket.once('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  /** Connects to 127.0.0.1:`port` and writes `first` (a preface, or whatever the vector sends instead). */
  static async connect(port: number, first: Buffer, xorKey?: Buffer): Promise<VectorPeer> {
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const peer = new VectorPeer(socket, xorKey);
    if (first.length > 0) socket.write(first);
    return peer;
  }

  write(bytes: Buffer): void {
    if (bytes.length > 0) this.socket.write(bytes);
  }

  /** Half-closes: the client sends nothing more (FIN). */
  end(): void {
    this.socket.end();
  }

  /** Answers a server PING (the heartbeat) with its PONG. */
  pong(ping: ReceivedFrame): void {
    const frame = Buffer.alloc(FRAME_HEADER_BYTES + ping.payload.length);
    writeFrameHeader(frame, 0, ping.payload.length, FrameKind.PONG, 0, 0);
    ping.payload.copy(frame, FRAME_HEADER_BYTES);
    this.write(frame);
  }

  /** Resolves with `check()` once it returns a value, re-checking whenever something arrives; rejects after WAIT_MS. */
  until<T>(check: () => T | undefined, what: string): Promise<T> {
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.wakers.delete(waker);
        reject(new Error(`waited ${WAIT_MS} ms for ${what}; received kinds [${this.frames.map((f) => f.kind)}], ended ${this.ended}`));
      }, WAIT_MS);
      const waker = (): void => {
        const value = check();
        if (value === undefined) return;
        clearTimeout(timer);
        this.wakers.delete(waker);
        resolve(value);
      };
      this.wakers.add(waker);
    });
  }

  destroy(): Promise<void> {
    this.socket.destroy();
    return this.until(() => (this.closed ? true : undefined), 'the socket to close').then(() => undefined);
  }

  private wake(): void {
    for (const waker of [...this.wakers]) waker();
  }

  private onData(chunk: Buffer): void {
    if (this.pending) {
      // First bytes: a preface starts with 'F' (0x46); a refusal is a GOAWAY frame right away (first byte 0x00).
      const received = Buffer.concat([this.pending, chunk]);
      if (received[0] === 0x46) {
        if (received.length < PREFACE_BYTES) {
          this.pending = received;
          return;
        }
        this.preface = received.subarray(0, PREFACE_BYTES);
        chunk = received.subarray(PREFACE_BYTES);
      } else {
        chunk = received;
      }
      this.pending = undefined;
    }
    this.decoder.push(chunk);
  }
}
