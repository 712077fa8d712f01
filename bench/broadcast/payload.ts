// The ~100-byte chat text every client sends: a send timestamp and a sender id at fixed offsets, then padding.
//   "<16 digits: send time, µs since the epoch>:<6 digits: sender id>:xxxx...x" (TEXT_BYTES ASCII characters)
// Every sender and receiver of a cell lives in the one client process, so one clock serves both ends;
// performance.timeOrigin + performance.now() gives it sub-millisecond resolution.

/** Length of the text, in characters and (ASCII) bytes. */
export const TEXT_BYTES = 100;
const STAMP_DIGITS = 16;
const SENDER_DIGITS = 6;
const DIGIT_0 = 0x30;
const PADDING = 'x'.repeat(TEXT_BYTES - STAMP_DIGITS - SENDER_DIGITS - 2);

/** Microseconds since the epoch on this process's monotonic clock. */
export function nowMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** The text client `sender` sends at `micros`. */
export function stampText(sender: number, micros: number): string {
  return `${String(micros).padStart(STAMP_DIGITS, '0')}:${String(sender).padStart(SENDER_DIGITS, '0')}:${PADDING}`;
}

/** The send time (µs) of a text whose first byte is `buffer[offset]`; NaN if it is not a stamp. */
export function readStamp(buffer: Buffer, offset: number): number {
  if (offset + STAMP_DIGITS > buffer.length) return NaN;
  // Two 8-digit halves keep every intermediate a small integer.
  let high = 0;
  let low = 0;
  for (let i = 0; i < 8; i++) high = high * 10 + (buffer[offset + i] - DIGIT_0);
  for (let i = 8; i < STAMP_DIGITS; i++) low = low * 10 + (buffer[offset + i] - DIGIT_0);
  return high * 1e8 + low;
}

/** The send time (µs) of a text received as a string (socket.io, the typed framerpc client). */
export function readStampOfText(text: string): number {
  return Number(text.slice(0, STAMP_DIGITS));
}
