// The CALL frame's payload: which method, how long it may take, the caller's metadata, maybe the request.
import { Metadata } from './metadata';
import { metadataByteLength, readMetadata, writeMetadata } from './metadata-wire';
import { RpcError } from './rpc-error';
import { Status } from './status';

/** CALL payload: u32 timeout ms (0 = none), u8 flags, u8 method length, method, metadata, [request message]. */
export const CallFlag = {
  /** A request message follows the metadata (the rest of the payload). */
  HAS_MESSAGE: 0b0000_0001,
} as const;

const FIXED_BYTES = 6;
const EMPTY_METADATA = new Metadata().freeze();

/**
 * The last metadata block decoded on a connection and its bytes: calls from one client usually carry the
 * same metadata, which is then decoded once (it is read-only, so sharing it is safe).
 */
export interface MetadataCache {
  bytes: Buffer | undefined;
  metadata: Metadata;
  /** Likewise the last method path's bytes and the string they decode to. */
  methodBytes?: Buffer;
  method?: string;
}

export function newMetadataCache(): MetadataCache {
  return { bytes: undefined, metadata: EMPTY_METADATA, methodBytes: undefined, method: undefined };
}

/** A decoded CALL payload. `message` is a view into the frame. */
export interface CallHeader {
  readonly timeoutMs: number;
  readonly method: string;
  readonly metadata: Metadata;
  readonly message: Buffer | undefined;
}

/** The length of a CALL payload. */
export function callHeaderLength(method: Buffer, metadata: Metadata | undefined, message: Uint8Array | undefined): number {
  const metadataBytes = metadata && metadata.size > 0 ? metadataByteLength(metadata) : 2;
  return FIXED_BYTES + method.length + metadataBytes + (message ? message.length : 0);
}

/** Writes a CALL payload at `offset` of `target` (in place in the outbound queue); returns the end offset. */
export function writeCallHeader(target: Buffer, offset: number, method: Buffer, timeoutMs: number, metadata: Metadata | undefined, message: Uint8Array | undefined): number {
  target.writeUInt32BE(Math.max(0, Math.min(0xffff_ffff, Math.ceil(timeoutMs))), offset);
  target[offset + 4] = message ? CallFlag.HAS_MESSAGE : 0;
  target[offset + 5] = method.length;
  target.set(method, offset + FIXED_BYTES); // TypedArray set: no Buffer.copy argument checks per call
  offset = writeMetadata(target, offset + FIXED_BYTES + method.length, metadata);
  if (message) {
    target.set(message, offset);
    offset += message.length;
  }
  return offset;
}

/** Encodes a CALL payload; `method` is the method path's bytes, cached by the caller. */
export function encodeCallHeader(method: Buffer, timeoutMs: number, metadata: Metadata | undefined, message: Uint8Array | undefined): Buffer {
  const payload = Buffer.allocUnsafe(callHeaderLength(method, metadata, message));
  writeCallHeader(payload, 0, method, timeoutMs, metadata, message);
  return payload;
}

/**
 * A CALL payload read in place, into an object its reader reuses for every call: the request message is
 * an offset into the payload, not a view (the server decodes it from there).
 */
export interface CallHeaderFields {
  timeoutMs: number;
  method: string;
  metadata: Metadata;
  /** Where the request message starts in the payload (it runs to the end), or -1 without one. */
  messageOffset: number;
}

export function newCallHeaderFields(): CallHeaderFields {
  return { timeoutMs: 0, method: '', metadata: EMPTY_METADATA, messageOffset: -1 };
}

/** Decodes a CALL payload; throws RpcError INVALID_ARGUMENT when malformed. */
export function decodeCallHeader(payload: Buffer, cache?: MetadataCache): CallHeader {
  const fields = newCallHeaderFields();
  readCallHeader(payload, fields, cache);
  const { timeoutMs, method, metadata, messageOffset } = fields;
  return { timeoutMs, method, metadata, message: messageOffset < 0 ? undefined : payload.subarray(messageOffset) };
}

/** Reads a CALL payload into `into`; throws RpcError INVALID_ARGUMENT when malformed. */
export function readCallHeader(payload: Buffer, into: CallHeaderFields, cache?: MetadataCache): void {
  if (payload.length < FIXED_BYTES) throw new RpcError(Status.INVALID_ARGUMENT, `CALL payload of ${payload.length} bytes is shorter than its ${FIXED_BYTES}-byte header`);
  const timeoutMs = payload.readUInt32BE(0);
  const flags = payload[4];
  const methodEnd = FIXED_BYTES + payload[5];
  if (methodEnd > payload.length) throw new RpcError(Status.INVALID_ARGUMENT, 'CALL method name is cut off');
  const method = methodName(payload, methodEnd, cache);
  let metadata = EMPTY_METADATA;
  let offset = methodEnd + 2;
  if (payload.length < offset) throw new RpcError(Status.INVALID_ARGUMENT, 'CALL metadata is cut off');
  if (payload[methodEnd] !== 0 || payload[methodEnd + 1] !== 0) {
    const cached = cache?.bytes;
    if (cached && methodEnd + cached.length <= payload.length && sameBytes(payload, methodEnd, cached)) {
      // Identical bytes parse to the identical (self-delimiting) block.
      metadata = (cache as MetadataCache).metadata;
      offset = methodEnd + cached.length;
    } else {
      ({ metadata, offset } = readMetadata(payload, methodEnd, payload.length));
      if (cache) {
        cache.bytes = Buffer.from(payload.subarray(methodEnd, offset));
        cache.metadata = metadata;
      }
    }
  }
  into.timeoutMs = timeoutMs;
  into.method = method;
  into.metadata = metadata;
  into.messageOffset = flags & CallFlag.HAS_MESSAGE ? offset : -1;
}

/** The method path at 6..`end`: the cached string when the bytes are the last call's (most calls repeat a few methods). */
function methodName(payload: Buffer, end: number, cache: MetadataCache | undefined): string {
  const cached = cache?.methodBytes;
  if (cached && cached.length === end - FIXED_BYTES && sameBytes(payload, FIXED_BYTES, cached)) return (cache as MetadataCache).method as string;
  const method = payload.toString('latin1', FIXED_BYTES, end);
  if (cache) {
    cache.methodBytes = Buffer.from(payload.subarray(FIXED_BYTES, end));
    cache.method = method;
  }
  return method;
}

/** `expected` is at `offset` of `source` (the caller checked it fits). A loop: these are short, a native compare costs more. */
function sameBytes(source: Buffer, offset: number, expected: Buffer): boolean {
  if (expected.length > 64) return source.compare(expected, 0, expected.length, offset, offset + expected.length) === 0;
  for (let i = 0; i < expected.length; i++) if (source[offset + i] !== expected[i]) return false;
  return true;
}

/** The metadata instance decoders share when a call carries none; never mutate it. */
export function emptyMetadata(): Metadata {
  return EMPTY_METADATA;
}
