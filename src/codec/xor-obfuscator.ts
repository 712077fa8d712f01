// XOR obfuscation of frame payloads. This hides payloads from casual inspection only: it is NOT
// encryption and gives no confidentiality or integrity. Use TLS for security.

/** Applies the key cyclically from the payload's first byte; applying it twice restores the payload. */
export function xorInPlace(bytes: Uint8Array, key: Uint8Array, start = 0, end = bytes.length): void {
  const keyLength = key.length;
  let k = 0;
  for (let i = start; i < end; i++) {
    bytes[i] ^= key[k];
    if (++k === keyLength) k = 0;
  }
}
