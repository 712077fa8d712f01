// Options shared by both ends of a framed connection, with their documented defaults.
import { constants as zlibConstants } from 'node:zlib';
import { checkRateOption } from './rate-limiter';
import { MAX_TIMER_MS } from './timer-limit';
import { xorKeyBytes } from './xor-key';
import { FramerpcOptionError } from '../errors';

/** Options of one framed connection (server side and client side alike). */
export interface TransportOptions {
  /** Largest frame payload accepted, on the wire and after inflating. Default 4 MiB (as gRPC). */
  maxFrameBytes: number;
  /** Accept zlib-compressed frames (advertised in the preface). Default true. */
  compression: boolean;
  /**
   * Compress outgoing payloads of at least `compressMinBytes`, when the peer accepts compression. Default
   * false, as in gRPC and connect: zlib costs more CPU than it saves on fast links; turn it on for slow ones.
   */
  sendCompression: boolean;
  /** With `sendCompression`, payloads at least this long are compressed. Default 1024 (as connect). */
  compressMinBytes: number;
  /** zlib level for outgoing frames. Default 1 (fastest): frames are small and latency matters. */
  compressionLevel: number;
  /**
   * XOR obfuscation key, the same on both sides; frames are rejected by a peer with another key.
   * Obfuscation only, not encryption: use `tls` for security. Given as a string, the key is its UTF-8
   * bytes (resolved options always hold bytes). Default none.
   */
  xorKey: Uint8Array | undefined;
  /**
   * Hard bound on bytes queued for one peer (ours plus the socket's). Flow-controlled messages never
   * reach it (they wait for credit and for room below `outboundHighWaterBytes`); only frames sent with no
   * flow control (raw DATA, replies to a peer that sends but never reads) can, and then the connection
   * closes with OUTBOUND_OVERFLOW. Default 8 MiB.
   */
  maxOutboundBytes: number;
  /**
   * Raw transport use: above this many queued outbound bytes, reading from the peer pauses until it
   * drains (an RPC connection never pauses for its own outbound queue: its messages are flow-controlled).
   * For RPC, a message that fits one frame is written at once only below this; otherwise it waits its
   * turn in the stream scheduler. Default 1 MiB.
   */
  outboundHighWaterBytes: number;
  /**
   * Fragments of large or queued messages are handed to the socket only while fewer bytes than this are
   * queued for it, so a small call's frames never wait behind much of a bulk transfer. Default 64 KiB.
   */
  fragmentHighWaterBytes: number;
  /**
   * Receive window for the whole connection, in bytes: what the peer may send (message bytes) that this
   * side has not yet released. Bounds the memory one peer can make this side hold. Default 8 MiB (an
   * RpcServer or Channel raises the default to twice its largest message when that is more).
   */
  connectionWindowBytes: number;
  /**
   * Receive window per call and direction, in bytes, granted back as the application consumes. Default 128 KiB
   * (twice HTTP/2's default): with many busy streams, what the windows let senders run ahead sits in process
   * memory as buffers that outlive V8's young-generation collections; 1 MiB per stream measured 10-20 MiB
   * more RSS on each side of an 8-stream flood of 64 KiB messages, with no gain in throughput on loopback. A
   * message larger than the window still goes (it may overdraw it), so only streams of many medium messages
   * over long round trips want more: one stream then moves at most about window / round trip.
   */
  streamWindowBytes: number;
  /**
   * Queued bytes that trigger a flush before the end of the tick, so both sides work at once. Default 64 KiB
   * (one socket read's worth: with 32 KiB, a read of 4 KiB frames went back in two writes).
   */
  flushThresholdBytes: number;
  /**
   * Queued frames that trigger a flush before the end of the tick (pipelining). Default 64: with 32, a peer
   * pipelining 64 frames per write got two writes back for each, and each write costs more than the frames'
   * own processing (the raw merged echo makes one per read).
   */
  flushThresholdFrames: number;
  /** The peer must complete the preface exchange within this. Default 5000 ms. */
  handshakeTimeoutMs: number;
  /** A frame once started must be complete within this. Default 20000 ms. */
  frameTimeoutMs: number;
  /**
   * Liveness check period: a PING is sent when nothing arrived during the last period (1 to 2 periods
   * after the last byte). 0 disables heartbeats. Default 15000 ms.
   */
  heartbeatIntervalMs: number;
  /**
   * After a PING, the peer has this long to send anything before the connection closes (so a silent
   * peer is closed at most 2 x heartbeatIntervalMs + heartbeatTimeoutMs after its last byte). Default 10000 ms.
   */
  heartbeatTimeoutMs: number;
  /** Close after no application frame either way for this long (closes between 1x and 2x). 0 = never. Default 0. */
  idleTimeoutMs: number;
  /** After close() sends GOAWAY, the socket is destroyed if not closed within this. Default 2000 ms. */
  closeTimeoutMs: number;
  /**
   * PINGs from the peer answered per second (a token bucket with `pingBurst`); PINGs beyond are left
   * unanswered, and a peer sending more than `pingBurst` of those in a row is closed with TOO_MANY_PINGS.
   * Infinity turns the limit off. Default 50 (a peer's heartbeat sends at most 1 per interval).
   */
  maxPingsPerSecond: number;
  /** PINGs answered in a burst above `maxPingsPerSecond`, and unanswered ones tolerated before closing. Default 100. */
  pingBurst: number;
}

/** What users pass: any subset of the options; `xorKey` may also be a string (its UTF-8 bytes). */
export type TransportOptionsInput = Partial<Omit<TransportOptions, 'xorKey'>> & { xorKey?: Uint8Array | string };

/** Fresh defaults (a function, so callers can never mutate shared state). */
export function defaultTransportOptions(): TransportOptions {
  return {
    maxFrameBytes: 4 * 1024 * 1024,
    compression: true,
    sendCompression: false,
    compressMinBytes: 1024,
    compressionLevel: 1,
    xorKey: undefined,
    maxOutboundBytes: 8 * 1024 * 1024,
    outboundHighWaterBytes: 1024 * 1024,
    fragmentHighWaterBytes: 64 * 1024,
    connectionWindowBytes: 8 * 1024 * 1024,
    streamWindowBytes: 128 * 1024,
    flushThresholdBytes: 64 * 1024,
    flushThresholdFrames: 64,
    handshakeTimeoutMs: 5000,
    frameTimeoutMs: 20000,
    heartbeatIntervalMs: 15000,
    heartbeatTimeoutMs: 10000,
    idleTimeoutMs: 0,
    closeTimeoutMs: 2000,
    maxPingsPerSecond: 50,
    pingBurst: 100,
  };
}

/** Merges user options over the defaults and validates them, naming the bad field. */
export function resolveTransportOptions(partial: TransportOptionsInput = {}): TransportOptions {
  const options = { ...defaultTransportOptions() };
  for (const [key, value] of Object.entries(partial)) {
    if (value !== undefined) (options as unknown as Record<string, unknown>)[key] = value;
  }
  const nonNegative: (keyof TransportOptions)[] = ['compressMinBytes', 'handshakeTimeoutMs', 'frameTimeoutMs', 'heartbeatIntervalMs', 'heartbeatTimeoutMs', 'idleTimeoutMs', 'closeTimeoutMs'];
  for (const key of nonNegative) {
    const value = options[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new FramerpcOptionError(key, `transport option ${key} must be a non-negative number, got ${String(value)}`);
    }
    // Node timers cannot be longer; a longer one would fire after 1 ms.
    if (value > MAX_TIMER_MS)
      throw new FramerpcOptionError(key, `transport option ${key} must be at most ${MAX_TIMER_MS} ms (about 24.8 days; 0 turns heartbeats and the idle timeout off), got ${value}`);
  }
  const positive: (keyof TransportOptions)[] = [
    'maxFrameBytes',
    'maxOutboundBytes',
    'outboundHighWaterBytes',
    'flushThresholdBytes',
    'flushThresholdFrames',
    'connectionWindowBytes',
    'streamWindowBytes',
    'fragmentHighWaterBytes',
  ];
  for (const key of positive) {
    const value = options[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new FramerpcOptionError(key, `transport option ${key} must be a positive integer, got ${String(value)}`);
    }
  }
  if (options.maxFrameBytes > 0xffff_ffff) throw new FramerpcOptionError('maxFrameBytes', 'transport option maxFrameBytes must fit in 32 bits (at most 4294967295)');
  for (const key of ['connectionWindowBytes', 'streamWindowBytes'] as const) {
    if (options[key] > 0x7fff_ffff) throw new FramerpcOptionError(key, `transport option ${key} must be at most 2^31-1, got ${options[key]}`);
  }

  if (options.outboundHighWaterBytes > options.maxOutboundBytes) {
    throw new FramerpcOptionError('outboundHighWaterBytes', 'transport option outboundHighWaterBytes must not exceed maxOutboundBytes: lower it, or raise maxOutboundBytes');
  }
  const level = options.compressionLevel;
  if (!Number.isInteger(level) || level < zlibConstants.Z_DEFAULT_COMPRESSION || level > 9) {
    throw new FramerpcOptionError('compressionLevel', `transport option compressionLevel must be -1..9, got ${String(level)}`);
  }
  checkRateOption('transport', 'maxPingsPerSecond', options.maxPingsPerSecond, 'pingBurst', options.pingBurst);
  // Converted once here: the handshake's key check and the XOR of every frame use these same bytes.
  options.xorKey = xorKeyBytes(options.xorKey);
  if (options.xorKey !== undefined && options.xorKey.length === 0) {
    throw new FramerpcOptionError('xorKey', 'transport option xorKey must not be empty (leave it undefined for no obfuscation)');
  }
  return options;
}
