// GOAWAY payload: u16 close code, u32 last accepted call id, UTF-8 reason (capped so a reason can never be a large frame).
import { readU16, readU32, utf8Bytes, utf8Text, writeU16, writeU32 } from './bytes';
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
export function encodeGoaway(code: number, reason: string, lastCallId = 0): Uint8Array {
  let text = utf8Bytes(reason);
  if (text.length > MAX_REASON_BYTES) {
    // Cut on a character boundary: never inside a multi-byte UTF-8 sequence (continuation bytes are 10xxxxxx).
    let end = MAX_REASON_BYTES;
    while (end > 0 && (text[end] & 0b1100_0000) === 0b1000_0000) end--;
    text = text.subarray(0, end);
  }
  const payload = new Uint8Array(GOAWAY_FIXED_BYTES + text.length);
  writeU16(payload, 0, code);
  writeU32(payload, 2, lastCallId >>> 0);
  payload.set(text, GOAWAY_FIXED_BYTES);
  return payload;
}

/** Decodes a GOAWAY payload. */
export function decodeGoaway(payload: Uint8Array): Goaway {
  if (payload.length < GOAWAY_FIXED_BYTES) {
    throw new FrameError(CloseCode.PROTOCOL_ERROR, `GOAWAY payload of ${payload.length} bytes is shorter than its ${GOAWAY_FIXED_BYTES}-byte code and last call id`);
  }
  return { code: readU16(payload, 0), lastCallId: readU32(payload, 2), reason: utf8Text(payload.subarray(GOAWAY_FIXED_BYTES)) };
}
