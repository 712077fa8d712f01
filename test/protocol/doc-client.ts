// A framerpc transport client written only from docs/protocol.md (section numbers below refer to it).
// It imports nothing from src/: it is the independent implementation the conformance tests hold the
// real server against, so a gap or error in the document shows up as a failing test.
import { createHash } from 'node:crypto';
import * as net from 'node:net';
import { deflateSync, inflateSync } from 'node:zlib';

/** §4: the frame header is 10 bytes; §2: the preface is 20. */
export const HEADER_BYTES = 10;
export const PREFACE_BYTES = 20;
/** §2: the protocol version this client speaks, and the role byte it sends (client = 1; a server's is 2). */
export const VERSION = 2;
export const ROLE_CLIENT = 1;
export const ROLE_SERVER = 2;
/** §2: the windows this client announces (it only sends DATA, PING and GOAWAY, none flow-controlled). */
export const CONNECTION_WINDOW = 1024 * 1024;
export const STREAM_WINDOW = 64 * 1024;
export const MAGIC = Buffer.from('FRPC', 'ascii');

/** §5 frame kinds (the RPC and push kinds only need to be recognised). */
export const Kind = { PING: 0x01, PONG: 0x02, GOAWAY: 0x03, DATA: 0x04 } as const;
const KNOWN_KINDS = new Set([0x01, 0x02, 0x03, 0x04, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x20]);

/** §4 flag bits. */
export const Flag = { COMPRESSED: 0b0001, OBFUSCATED: 0b0010, END_STREAM: 0b0100, MORE: 0b1000 } as const;
const KNOWN_FLAGS = 0b1111;

/** §2 feature bits. */
export const Feature = { COMPRESSION: 0b01, OBFUSCATION: 0b10 } as const;

/** §7 close codes. */
export const Code = {
  NORMAL: 0,
  PROTOCOL_ERROR: 1,
  FRAME_TOO_LARGE: 2,
  COMPRESSION_ERROR: 3,
  HANDSHAKE_FAILED: 4,
  TIMEOUT: 5,
  OUTBOUND_OVERFLOW: 6,
  SERVER_FULL: 7,
  SHUTTING_DOWN: 8,
  INTERNAL_ERROR: 9,
  CONNECTION_LOST: 10,
  TOO_MANY_PINGS: 11,
  RAPID_RESET: 12,
  FLOW_CONTROL_ERROR: 13,
} as const;

/** §2: the first 4 bytes of SHA-256(key) as u32 BE, 0 without a key. */
export function keyCheck(key: Uint8Array | undefined): number {
  return key ? createHash('sha256').update(key).digest().readUInt32BE(0) : 0;
}

/** §2: magic, version, features, role, a reserved zero byte, key check, connection window, stream window. */
export function encodePreface(features: number, key?: Uint8Array, role = ROLE_CLIENT): Buffer {
  const bytes = Buffer.alloc(PREFACE_BYTES);
  MAGIC.copy(bytes, 0);
  bytes[4] = VERSION;
  bytes[5] = features;
  bytes[6] = role;
  bytes.writeUInt32BE(key ? keyCheck(key) : 0, 8);
  bytes.writeUInt32BE(CONNECTION_WINDOW, 12);
  bytes.writeUInt32BE(STREAM_WINDOW, 16);
  return bytes;
}

/** §6: XOR with the key repeated from key[0] on the first payload byte; returns a copy. */
export function xor(payload: Uint8Array, key: Uint8Array): Buffer {
  const out = Buffer.from(payload);
  for (let i = 0; i < out.length; i++) out[i] ^= key[i % key.length];
  return out;
}

/** §4: header (length as on the wire, kind, flags, stream id) followed by the payload. */
export function encodeFrame(kind: number, flags: number, streamId: number, wirePayload: Uint8Array): Buffer {
  const frame = Buffer.alloc(HEADER_BYTES + wirePayload.length);
  frame.writeUInt32BE(wirePayload.length, 0);
  frame[4] = kind;
  frame[5] = flags;
  frame.writeUInt32BE(streamId, 6);
  frame.set(wirePayload, HEADER_BYTES);
  return frame;
}

/** §5.3: u16 code, u32 last accepted call id (a client sends 0), UTF-8 reason. */
export function encodeGoaway(code: number, reason: string): Buffer {
  const text = Buffer.from(reason, 'utf8');
  const payload = Buffer.alloc(6 + text.length);
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 6);
  return payload;
}

export function decodeGoaway(payload: Buffer): { code: number; reason: string } {
  if (payload.length < 6) throw new Error(`GOAWAY payload of ${payload.length} bytes`);
  return { code: payload.readUInt16BE(0), reason: payload.toString('utf8', 6) };
}

/** A frame as received: payload already de-obfuscated and inflated; flags and wireLength as on the wire. */
export interface DocFrame {
  readonly kind: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payload: Buffer;
  readonly wireLength: number;
}

/** The server refused the handshake with a GOAWAY (§3, Refusal). */
export class DocRefusal extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super(`refused with code ${code}: ${reason}`);
  }
}

export interface DocClientOptions {
  port: number;
  /** Advertise COMPRESSION (we can inflate). */
  compression?: boolean;
  /** Obfuscate with this key (advertises OBFUSCATION and its key check). */
  key?: Uint8Array;
  /** Compress payloads at least this long when the server accepts compression. Default 1024. */
  compressMinBytes?: number;
  maxFrameBytes?: number;
  /** Answer PINGs with PONGs (§5.1). Default true. */
  answerPings?: boolean;
  /** Send these bytes instead of a correct preface (to provoke a refusal). */
  preface?: Buffer;
}

type Waiter = { match: (frame: DocFrame) => boolean; resolve: (frame: DocFrame) => void; reject: (error: Error) => void };

/** One connection to a framerpc server, created by `DocClient.connect`. */
export class DocClient {
  /** Resolves when the socket has closed. */
  readonly closed: Promise<void>;
  /** Every GOAWAY received (§5.3), in order. */
  readonly goaways: { code: number; reason: string }[] = [];
  /** A protocol violation this client detected in what the server sent, or a socket error. */
  violation: Error | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly inbox: DocFrame[] = [];
  private waiters: Waiter[] = [];

  private constructor(
    private readonly socket: net.Socket,
    private readonly options: DocClientOptions,
    /** The server's 20 preface bytes. */
    readonly serverPreface: Buffer,
    leftover: Buffer,
  ) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', (error) => (this.violation ??= error));
    socket.on('close', () => this.failWaiters(new Error('connection closed')));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    if (leftover.length > 0) this.onData(leftover);
  }

  /** §3: connects, sends our preface, reads the server's preface or its refusal. */
  static connect(options: DocClientOptions): Promise<DocClient> {
    const features = (options.compression ? Feature.COMPRESSION : 0) | (options.key ? Feature.OBFUSCATION : 0);
    const preface = options.preface ?? encodePreface(features, options.key);
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port: options.port });
      let received = Buffer.alloc(0);
      const fail = (error: Error): void => {
        socket.off('data', onData);
        socket.destroy();
        reject(error);
      };
      const onData = (chunk: Buffer): void => {
        received = Buffer.concat([received, chunk]);
        if (received[0] === 0x00) {
          // A refusal: one GOAWAY frame.
          if (received.length < HEADER_BYTES) return;
          const length = received.readUInt32BE(0);
          if (received[4] !== Kind.GOAWAY) return fail(new Error(`refusal frame of kind ${received[4]}`));
          if (received.length < HEADER_BYTES + length) return;
          const { code, reason } = decodeGoaway(received.subarray(HEADER_BYTES, HEADER_BYTES + length));
          return fail(new DocRefusal(code, reason));
        }
        if (received[0] !== 0x46) return fail(new Error(`not a framerpc server: first byte 0x${received[0].toString(16)}`));
        if (received.length < PREFACE_BYTES) return;
        socket.off('data', onData);
        socket.pause();
        const theirs = received.subarray(0, PREFACE_BYTES);
        const problem = checkServerPreface(theirs, features, options.key);
        if (problem) return fail(new Error(problem));
        resolve(new DocClient(socket, options, Buffer.from(theirs), received.subarray(PREFACE_BYTES)));
        socket.resume();
      };
      socket.on('data', onData);
      socket.once('error', reject);
      socket.once('close', () => reject(new Error('closed during the handshake')));
      socket.once('connect', () => socket.write(preface));
    });
  }

  private get serverAcceptsCompression(): boolean {
    return (this.serverPreface[5] & Feature.COMPRESSION) !== 0;
  }

  /** §6, sender side: compress if the server accepts it and the payload is long enough, then XOR. */
  send(kind: number, streamId: number, payload: Uint8Array, flags = 0): void {
    let body: Buffer = Buffer.from(payload);
    if (kind >= Kind.DATA && this.serverAcceptsCompression && body.length >= (this.options.compressMinBytes ?? 1024)) {
      body = deflateSync(body);
      flags |= Flag.COMPRESSED;
    }
    if (this.options.key) {
      body = xor(body, this.options.key);
      flags |= Flag.OBFUSCATED;
    }
    this.socket.write(encodeFrame(kind, flags, streamId, body));
  }

  /** Resolves with the next received frame matching `match` (frames are kept until someone asks). */
  nextFrame(match: (frame: DocFrame) => boolean = () => true): Promise<DocFrame> {
    const at = this.inbox.findIndex(match);
    if (at >= 0) return Promise.resolve(this.inbox.splice(at, 1)[0]);
    if (this.socket.destroyed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => this.waiters.push({ match, resolve, reject }));
  }

  /** §7: GOAWAY with code and reason, then FIN; resolves when the server has closed too. */
  close(code: number, reason: string): Promise<void> {
    if (!this.socket.destroyed) {
      this.send(Kind.GOAWAY, 0, encodeGoaway(code, reason));
      this.socket.end();
    }
    return this.closed;
  }

  /** Writes bytes as they are (to send the server something malformed). */
  writeRaw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Drops the connection without a GOAWAY. */
  destroy(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }

  /** §4: split into frames, checking each header before reading its payload. */
  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    try {
      while (this.buffer.length >= HEADER_BYTES) {
        const length = this.buffer.readUInt32BE(0);
        const kind = this.buffer[4];
        const flags = this.buffer[5];
        const streamId = this.buffer.readUInt32BE(6);
        if (length > (this.options.maxFrameBytes ?? 4 * 1024 * 1024)) throw new Error(`frame of ${length} bytes`);
        if (!KNOWN_KINDS.has(kind)) throw new Error(`unknown kind 0x${kind.toString(16)}`);
        if ((flags & ~KNOWN_FLAGS) !== 0) throw new Error(`unknown flags 0b${flags.toString(2)}`);
        if (this.buffer.length < HEADER_BYTES + length) return;
        const wire = this.buffer.subarray(HEADER_BYTES, HEADER_BYTES + length);
        this.buffer = this.buffer.subarray(HEADER_BYTES + length);
        this.onFrame({ kind, flags, streamId, payload: this.decodePayload(flags, wire), wireLength: length });
      }
    } catch (error) {
      this.violation = error as Error;
      this.socket.destroy();
    }
  }

  /** §6, receiver side: check the OBFUSCATED flag, XOR, then inflate if COMPRESSED. */
  private decodePayload(flags: number, wire: Buffer): Buffer {
    const obfuscated = (flags & Flag.OBFUSCATED) !== 0;
    if (obfuscated !== (this.options.key !== undefined)) throw new Error(`OBFUSCATED flag ${obfuscated} does not match the negotiation`);
    let payload: Buffer = obfuscated ? xor(wire, this.options.key as Uint8Array) : Buffer.from(wire);
    if (flags & Flag.COMPRESSED) {
      if (!this.options.compression) throw new Error('COMPRESSED frame, but we did not advertise COMPRESSION');
      payload = inflateSync(payload, { maxOutputLength: this.options.maxFrameBytes ?? 4 * 1024 * 1024 });
    }
    return payload;
  }

  private onFrame(frame: DocFrame): void {
    if (frame.kind <= Kind.GOAWAY) {
      if (frame.streamId !== 0) throw new Error(`control frame kind ${frame.kind} on stream ${frame.streamId}`);
      if (frame.kind !== Kind.GOAWAY && frame.payload.length !== 8) throw new Error(`PING/PONG payload of ${frame.payload.length} bytes`);
      if (frame.kind === Kind.PING && this.options.answerPings !== false) this.send(Kind.PONG, 0, frame.payload);
      if (frame.kind === Kind.GOAWAY) this.goaways.push(decodeGoaway(frame.payload));
    }
    const at = this.waiters.findIndex((waiter) => waiter.match(frame));
    if (at >= 0) this.waiters.splice(at, 1)[0].resolve(frame);
    else this.inbox.push(frame);
  }

  private failWaiters(error: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }
}

/** §3 step 4: the client's checks of the server's preface; returns the problem, if any. */
function checkServerPreface(theirs: Buffer, ourFeatures: number, key: Uint8Array | undefined): string | undefined {
  if (!theirs.subarray(0, 4).equals(MAGIC)) return 'bad magic';
  if (theirs[4] !== VERSION) return `unsupported version ${theirs[4]}`;
  if (theirs[6] !== ROLE_SERVER) return `role ${theirs[6]}, not a server's`;
  if (theirs[7] !== 0) return 'reserved byte not zero';
  if (theirs.readUInt32BE(12) === 0 || theirs.readUInt32BE(16) === 0) return 'a window of zero';
  const weObfuscate = (ourFeatures & Feature.OBFUSCATION) !== 0;
  const theyObfuscate = (theirs[5] & Feature.OBFUSCATION) !== 0;
  if (weObfuscate !== theyObfuscate) return 'obfuscation mismatch';
  if (weObfuscate && theirs.readUInt32BE(8) !== keyCheck(key)) return 'key mismatch';
  return undefined;
}
