// The one payload codec: compress then obfuscate on the way out, de-obfuscate then inflate (capped) on the way in.
import type { FrameCompressor } from './frame-compressor';
import { InflateLimitError } from './frame-compressor';
import { FrameError } from './frame-error';
import { writeFrameHeader } from './frame-header';
import { xorInPlace } from './xor-obfuscator';
import { CloseCode, FRAME_HEADER_BYTES, FrameFlag } from './wire';

/** How a sender encodes payloads: what the handshake agreed with the peer. */
export interface PayloadEncoding {
  /** Compress payloads of at least this many bytes; Infinity when the peer does not accept compression. */
  readonly compressMinBytes: number;
  readonly compressionLevel: number;
  readonly xorKey: Uint8Array | undefined;
  /** Does the compressing; needed only when `compressMinBytes` is finite or a frame asks for compression. */
  readonly compressor?: FrameCompressor;
}

/**
 * `true`: compress this message (when the peer accepts compression, whatever its size); `false`: never;
 * undefined: the connection's rule (`sendCompression` and `compressMinBytes`).
 */
export type CompressChoice = boolean | undefined;

/**
 * Payloads at least this long are deflated with the compressor's asynchronous call (off the event loop);
 * smaller ones synchronously, as the fast path. 64 KiB is also the largest MESSAGE fragment, so a large
 * message is compressed off the loop fragment by fragment.
 */
export const ASYNC_DEFLATE_BYTES = 64 * 1024;
/** Compressed payloads at least this long are inflated asynchronously (they may inflate to several times this). */
export const ASYNC_INFLATE_BYTES = 16 * 1024;

/** Flags a caller may set; COMPRESSED and OBFUSCATED are the codec's. */
export const CALLER_FLAGS = FrameFlag.END_STREAM | FrameFlag.MORE;

/** The flags byte to send: the caller's END_STREAM and MORE, plus COMPRESSED and OBFUSCATED as the payload is encoded. */
export function wireFlags(flags: number, compressed: boolean, encoding: PayloadEncoding): number {
  flags &= CALLER_FLAGS;
  if (compressed) flags |= FrameFlag.COMPRESSED;
  if (encoding.xorKey) flags |= FrameFlag.OBFUSCATED;
  return flags;
}

function compressorOf(encoding: PayloadEncoding): FrameCompressor {
  if (!encoding.compressor) throw new TypeError('payload encoding compresses but has no compressor');
  return encoding.compressor;
}

/** The payload as sent before obfuscation: deflated when `compressed`, else itself. */
export function deflatePayload(payload: Uint8Array, compressed: boolean, encoding: PayloadEncoding): Uint8Array {
  return compressed ? compressorOf(encoding).deflateSync(payload, encoding.compressionLevel) : payload;
}

/** Like `deflatePayload` with `compressed` true, off the event loop (for payloads of ASYNC_DEFLATE_BYTES and more). */
export function deflatePayloadAsync(payload: Uint8Array, encoding: PayloadEncoding): Promise<Uint8Array> {
  return compressorOf(encoding).deflate(payload, encoding.compressionLevel);
}

/**
 * Writes a whole frame at `at` of `target`: the header with `flags` as given (from `wireFlags`), then
 * `body` (already deflated if COMPRESSED), obfuscated in place when the encoding has a key. Returns the frame's length.
 */
export function writeFrame(target: Uint8Array, at: number, kind: number, flags: number, streamId: number, body: Uint8Array, encoding: PayloadEncoding): number {
  writeFrameHeader(target, at, body.length, kind, flags, streamId);
  target.set(body, at + FRAME_HEADER_BYTES);
  const end = at + FRAME_HEADER_BYTES + body.length;
  if (encoding.xorKey) xorInPlace(target, encoding.xorKey, at + FRAME_HEADER_BYTES, end);
  return end - at;
}

/** Obfuscates a payload written in place between `start` and `end` (a frame whose header has OBFUSCATED). */
export function sealPayloadInPlace(target: Uint8Array, start: number, end: number, encoding: PayloadEncoding): void {
  if (encoding.xorKey) xorInPlace(target, encoding.xorKey, start, end);
}

/**
 * Encodes one complete frame into a new array: compression (when `payload.length` reaches
 * `compressMinBytes`), obfuscation and header. Used for frames sent to many peers (a broadcast is
 * encoded once and the same bytes are queued for each recipient), which is why the XOR key is per
 * server rather than per connection; and for the plain GOAWAY of a refused handshake.
 */
export function encodeFrame(kind: number, flags: number, streamId: number, payload: Uint8Array, encoding: PayloadEncoding): Uint8Array {
  const compressed = payload.length >= encoding.compressMinBytes;
  const body = deflatePayload(payload, compressed, encoding);
  const frame = new Uint8Array(FRAME_HEADER_BYTES + body.length);
  writeFrame(frame, 0, kind, (flags & ~CALLER_FLAGS) | wireFlags(flags, compressed, encoding), streamId, body, encoding);
  return frame;
}

/** How this side opens received payloads: its key, whether it accepted compression, the inflate cap. */
export interface PayloadOpening {
  /** This connection's key (undefined without obfuscation). */
  readonly xorKey: Uint8Array | undefined;
  readonly acceptsCompressed: boolean;
  /** Caps inflating, so a zip bomb costs at most that. */
  readonly maxBytes: number;
  readonly compressor?: FrameCompressor;
}

/**
 * Checks obfuscation against the negotiation and de-obfuscates in place. Returns true when the payload
 * still has to be inflated (`inflatePayload` or `inflatePayloadAsync`).
 */
export function unsealPayload(flags: number, payload: Uint8Array, opening: PayloadOpening): boolean {
  const obfuscated = (flags & FrameFlag.OBFUSCATED) !== 0;
  if (obfuscated !== (opening.xorKey !== undefined)) {
    throw new FrameError(CloseCode.PROTOCOL_ERROR, obfuscated ? 'obfuscated frame on a connection without obfuscation' : 'plain frame on an obfuscated connection');
  }
  if (obfuscated) xorInPlace(payload, opening.xorKey as Uint8Array);
  if ((flags & FrameFlag.COMPRESSED) === 0) return false;
  if (!opening.acceptsCompressed || !opening.compressor) throw new FrameError(CloseCode.PROTOCOL_ERROR, 'compressed frame, but this side did not accept compression');
  return true;
}

function inflateFailure(error: unknown, streamId: number, maxBytes: number): FrameError {
  const reason =
    error instanceof InflateLimitError
      ? `compressed frame on stream ${streamId} inflates past maxFrameBytes (${maxBytes})`
      : `compressed frame on stream ${streamId} does not inflate: ${(error as Error).message}`;
  return new FrameError(CloseCode.COMPRESSION_ERROR, reason);
}

/** Inflates an unsealed compressed payload, capped at `opening.maxBytes`; COMPRESSION_ERROR when it cannot. */
export function inflatePayload(streamId: number, payload: Uint8Array, opening: PayloadOpening): Uint8Array {
  try {
    return (opening.compressor as FrameCompressor).inflateSync(payload, opening.maxBytes);
  } catch (error) {
    throw inflateFailure(error, streamId, opening.maxBytes);
  }
}

/** `inflatePayload` off the event loop, for compressed payloads of ASYNC_INFLATE_BYTES and more. */
export function inflatePayloadAsync(streamId: number, payload: Uint8Array, opening: PayloadOpening): Promise<Uint8Array> {
  return (opening.compressor as FrameCompressor).inflate(payload, opening.maxBytes).catch((error: unknown) => {
    throw inflateFailure(error, streamId, opening.maxBytes);
  });
}

/** The payload of a received frame as the sender's application gave it, synchronously (de-obfuscated, inflated). */
export function openPayload(flags: number, streamId: number, payload: Uint8Array, opening: PayloadOpening): Uint8Array {
  return unsealPayload(flags, payload, opening) ? inflatePayload(streamId, payload, opening) : payload;
}
