// The STATUS frame's payload: how a call ended, with trailers and, on the fast path, the last response.
import { Metadata } from './metadata';
import { metadataByteLength, readMetadata, writeMetadata } from './metadata-wire';
import { RpcError } from './rpc-error';
import { isStatus, Status } from './status';

/** STATUS payload: u8 code, u8 flags, u16 message length, message, u16 details length, details, trailers, [response]. */
export const StatusFlag = {
  /** A response message follows the trailers (a unary reply in one frame). */
  HAS_MESSAGE: 0b0000_0001,
} as const;

const MAX_TEXT_BYTES = 0xffff;
const EMPTY_METADATA = new Metadata();

/** A decoded STATUS payload; `message` is a view into the frame. */
export interface CallStatus {
  readonly code: Status;
  readonly text: string;
  readonly details: string;
  readonly trailers: Metadata;
  readonly message: Buffer | undefined;
}

/** The fixed prefix of an OK status with a response and no trailers: code 0, HAS_MESSAGE, two empty strings, no metadata. */
export const OK_WITH_MESSAGE_PREFIX = Buffer.from([Status.OK, StatusFlag.HAS_MESSAGE, 0, 0, 0, 0, 0, 0]);

/** Writes the common unary reply (OK_WITH_MESSAGE_PREFIX, then `message`) at `offset` of `target` (in place in the outbound queue). */
export function writeOkWithMessage(target: Buffer, offset: number, message: Uint8Array): void {
  // The 8 prefix bytes one by one: cheaper than a copy call for so few.
  target[offset] = Status.OK;
  target[offset + 1] = StatusFlag.HAS_MESSAGE;
  for (let i = 2; i < OK_WITH_MESSAGE_PREFIX.length; i++) target[offset + i] = 0;
  target.set(message, offset + OK_WITH_MESSAGE_PREFIX.length);
}

/** Encodes a STATUS payload. */
export function encodeCallStatus(code: Status, text: string, details: string, trailers: Metadata | undefined, message: Uint8Array | undefined): Buffer {
  if (!trailers && !text && !details && message && code === Status.OK) {
    const payload = Buffer.allocUnsafe(OK_WITH_MESSAGE_PREFIX.length + message.length);
    writeOkWithMessage(payload, 0, message);
    return payload;
  }
  const textBytes = utf8Prefix(text, MAX_TEXT_BYTES);
  const detailBytes = utf8Prefix(details, MAX_TEXT_BYTES);
  const payload = Buffer.allocUnsafe(2 + 2 + textBytes.length + 2 + detailBytes.length + metadataByteLength(trailers) + (message ? message.length : 0));
  payload[0] = code;
  payload[1] = message ? StatusFlag.HAS_MESSAGE : 0;
  let offset = 2;
  payload.writeUInt16BE(textBytes.length, offset);
  offset += 2 + textBytes.copy(payload, offset + 2);
  payload.writeUInt16BE(detailBytes.length, offset);
  offset += 2 + detailBytes.copy(payload, offset + 2);
  offset = writeMetadata(payload, offset, trailers);
  if (message) payload.set(message, offset);
  return payload;
}

/** `text` as UTF-8, cut to at most `maxBytes` on a character boundary (never inside a multi-byte sequence). */
function utf8Prefix(text: string, maxBytes: number): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return bytes;
  let end = maxBytes;
  // Continuation bytes are 10xxxxxx: back up to the first byte of the character the cut would split.
  while (end > 0 && (bytes[end] & 0b1100_0000) === 0b1000_0000) end--;
  return bytes.subarray(0, end);
}

/**
 * Decodes a STATUS payload; throws RpcError INTERNAL when malformed (the peer broke the protocol). A code
 * outside the 17 status codes decodes as UNKNOWN, its number kept in the text (docs/protocol.md 13.10).
 */
export function decodeCallStatus(payload: Buffer): CallStatus {
  if (payload.length < 8) throw new RpcError(Status.INTERNAL, `STATUS payload of ${payload.length} bytes is too short`);
  const code = payload[0];
  const flags = payload[1];
  let offset = 2;
  const textLength = payload.readUInt16BE(offset);
  const text = payload.toString('utf8', offset + 2, offset + 2 + textLength);
  offset += 2 + textLength;
  if (offset + 2 > payload.length) throw new RpcError(Status.INTERNAL, 'STATUS details are cut off');
  const detailsLength = payload.readUInt16BE(offset);
  const details = payload.toString('utf8', offset + 2, offset + 2 + detailsLength);
  offset += 2 + detailsLength;
  let trailers = EMPTY_METADATA;
  if (offset + 2 > payload.length) throw new RpcError(Status.INTERNAL, 'STATUS trailers are cut off');
  if (payload[offset] !== 0 || payload[offset + 1] !== 0) {
    try {
      ({ metadata: trailers, offset } = readMetadata(payload, offset, payload.length));
    } catch (error) {
      throw new RpcError(Status.INTERNAL, `STATUS trailers: ${(error as Error).message}`);
    }
  } else {
    offset += 2;
  }
  const message = flags & StatusFlag.HAS_MESSAGE ? payload.subarray(offset) : undefined;
  // There are no codes beyond gRPC's 17: an unknown one is UNKNOWN, keeping the number for whoever debugs it.
  if (!isStatus(code)) return { code: Status.UNKNOWN, text: `the server sent unknown status code ${code as number}: ${text}`, details, trailers, message };
  return { code, text, details, trailers, message };
}
