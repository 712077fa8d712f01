// What the codec needs of a zlib (RFC 1950) implementation: Node's zlib serves it, a browser one can too.

/**
 * Compresses and inflates frame payloads. The synchronous pair serves small payloads (cheap, and no
 * reordering); the asynchronous pair serves large ones, so a 4 MiB frame does not hold the event loop
 * for milliseconds. Both inflate calls stop as soon as the output passes `maxBytes` and throw
 * `InflateLimitError` then.
 */
export interface FrameCompressor {
  deflateSync(bytes: Uint8Array, level: number): Uint8Array;
  deflate(bytes: Uint8Array, level: number): Promise<Uint8Array>;
  inflateSync(bytes: Uint8Array, maxBytes: number): Uint8Array;
  inflate(bytes: Uint8Array, maxBytes: number): Promise<Uint8Array>;
}

/** Thrown by a FrameCompressor whose inflate output would pass its `maxBytes`. */
export class InflateLimitError extends Error {
  override readonly name = 'InflateLimitError';
}
