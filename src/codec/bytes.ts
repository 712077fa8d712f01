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

/** How many views are kept before small ones are joined, and what counts as small on average. */
const JOIN_EVERY_PARTS = 64;
const SMALL_PART_BYTES = 1024;

/**
 * Appends `part` to `parts`, views waiting to be joined into one message or frame, and returns the index
 * below which `parts` is settled. A peer that dribbles its bytes makes one view per socket read, each an
 * object of its own: once the views after `settled` number 64 and average under 1 KiB, they are joined
 * into one, so the objects held stay near 1 per 64 reads and memory near the bytes received. Large views
 * (the usual case) are never joined early.
 */
export function appendPart<B extends Uint8Array>(parts: Uint8Array[], part: Uint8Array, settled: number, alloc: (length: number) => B): number {
  parts.push(part);
  if (parts.length - settled < JOIN_EVERY_PARTS) return settled;
  let bytes = 0;
  for (let i = settled; i < parts.length; i++) bytes += parts[i].length;
  if (bytes >= JOIN_EVERY_PARTS * SMALL_PART_BYTES) return parts.length; // large: left for the final join
  const joined = concatBytes(parts.slice(settled), bytes, alloc);
  parts.length = settled;
  parts.push(joined);
  return parts.length;
}
