// GOAWAY payload: u16 close code + UTF-8 reason (capped so a reason can never be a large frame).
import { FrameError } from './frame-error';
import { CloseCode } from './wire';

/** Longest reason sent, in bytes; longer reasons are cut. */
export const MAX_REASON_BYTES = 512;

/** Encodes a GOAWAY payload. */
export function encodeGoaway(code: number, reason: string): Buffer {
  let text = Buffer.from(reason, 'utf8');
  if (text.length > MAX_REASON_BYTES) {
    // Cut on a character boundary: never inside a multi-byte UTF-8 sequence (continuation bytes are 10xxxxxx).
    let end = MAX_REASON_BYTES;
    while (end > 0 && (text[end] & 0b1100_0000) === 0b1000_0000) end--;
    text = text.subarray(0, end);
  }
  const payload = Buffer.allocUnsafe(2 + text.length);
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 2);
  return payload;
}

/** Decodes a GOAWAY payload. */
export function decodeGoaway(payload: Buffer): { code: number; reason: string } {
  if (payload.length < 2) throw new FrameError(CloseCode.PROTOCOL_ERROR, `GOAWAY payload of ${payload.length} bytes is shorter than its 2-byte code`);
  return { code: payload.readUInt16BE(0), reason: payload.toString('utf8', 2) };
}
