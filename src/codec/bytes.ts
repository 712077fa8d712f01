// Big-endian integers and UTF-8 text on plain Uint8Arrays, so the codec runs where there is no Buffer.

/** Reads the u32 at `at` (big-endian). */
export function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

/** Writes `value` as a u32 at `at` (big-endian). */
export function writeU32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 24;
  bytes[at + 1] = value >>> 16;
  bytes[at + 2] = value >>> 8;
  bytes[at + 3] = value;
}

/** Reads the u16 at `at` (big-endian). */
export function readU16(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 8) | bytes[at + 1];
}

/** Writes `value` as a u16 at `at` (big-endian). */
export function writeU16(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 8;
  bytes[at + 1] = value;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The UTF-8 bytes of `text`. */
export function utf8Bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** `bytes` decoded as UTF-8 (invalid sequences become U+FFFD, as Buffer's toString does). */
export function utf8Text(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** `bytes` as Latin-1 text (one character per byte), for showing unexpected bytes in a reason. */
export function latin1Text(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

/** Joins `parts` (of `total` bytes together) into one new array made by `alloc`. */
export function concatBytes<B extends Uint8Array>(parts: readonly Uint8Array[], total: number, alloc: (length: number) => B): B {
  const joined = alloc(total);
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return joined;
}
