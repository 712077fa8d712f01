// GOAWAY payload: u16 close code, u32 last accepted call id, UTF-8 reason (capped so a reason can never be a large frame).
import { FrameError } from './frame-error';
import { CloseCode } from './wire';

/** Longest reason sent, in bytes; longer reasons are cut. */
export const MAX_REASON_BYTES = 512;

/** What a GOAWAY says. */
export interface Goaway {
  readonly code: number;
  /**
   * The highest call id the sender accepted (0: none). A server runs no call above it: the client may
   * retry those anywhere. A client sends 0.
   */
  readonly lastCallId: number;
  readonly reason: string;
}

/** Bytes before the reason: u16 code, u32 last call id. */
export const GOAWAY_FIXED_BYTES = 6;

/** Encodes a GOAWAY payload. */
export function encodeGoaway(code: number, reason: string, lastCallId = 0): Buffer {
  let text = Buffer.from(reason, 'utf8');
  if (text.length > MAX_REASON_BYTES) {
    // Cut on a character boundary: never inside a multi-byte UTF-8 sequence (continuation bytes are 10xxxxxx).
    let end = MAX_REASON_BYTES;
    while (end > 0 && (text[end] & 0b1100_0000) === 0b1000_0000) end--;
    text = text.subarray(0, end);
  }
  const payload = Buffer.allocUnsafe(GOAWAY_FIXED_BYTES + text.length);
  payload.writeUInt16BE(code, 0);
  payload.writeUInt32BE(lastCallId >>> 0, 2);
  text.copy(payload, GOAWAY_FIXED_BYTES);
  return payload;
}

/** Decodes a GOAWAY payload. */
export function decodeGoaway(payload: Buffer): Goaway {
  if (payload.length < GOAWAY_FIXED_BYTES) {
    throw new FrameError(CloseCode.PROTOCOL_ERROR, `GOAWAY payload of ${payload.length} bytes is shorter than its ${GOAWAY_FIXED_BYTES}-byte code and last call id`);
  }
  return { code: payload.readUInt16BE(0), lastCallId: payload.readUInt32BE(2), reason: payload.toString('utf8', GOAWAY_FIXED_BYTES) };
}
