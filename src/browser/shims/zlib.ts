// node:zlib in the browser bundle: the two synchronous calls framerpc makes, by fflate (pure JS), so frame compression is negotiated as in Node.
import { Unzlib, zlibSync } from 'fflate';

export const constants = { Z_DEFAULT_COMPRESSION: -1 };

/** Input handed to the inflater at a time: deflate expands at most ~1032:1, so one slice yields at most ~1 MiB. */
const INFLATE_SLICE_BYTES = 1024;
type Level = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

/** zlib (RFC 1950) compression of `input` at `level` (-1: the default, 6). */
export function deflateSync(input: Uint8Array, options: { level?: number } = {}): Buffer {
  const level = options.level === undefined || options.level < 0 ? 6 : options.level;
  const out = zlibSync(input, { level: level as Level });
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * Inflates a zlib stream, stopping as soon as the output passes `maxOutputLength` with the error Node
 * throws there (code ERR_BUFFER_TOO_LARGE), so a zip bomb costs at most the limit plus one slice's output.
 */
export function inflateSync(input: Uint8Array, options: { maxOutputLength?: number } = {}): Buffer {
  const max = options.maxOutputLength ?? Number.MAX_SAFE_INTEGER;
  const parts: Uint8Array[] = [];
  let total = 0;
  let ended = false;
  const inflater = new Unzlib((chunk, final) => {
    total += chunk.length;
    if (total > max) throw Object.assign(new RangeError(`Cannot create a Buffer larger than ${max} bytes`), { code: 'ERR_BUFFER_TOO_LARGE' });
    parts.push(chunk);
    if (final) ended = true;
  });
  if (input.length === 0) throw new Error('unexpected end of file');
  for (let offset = 0; offset < input.length; offset += INFLATE_SLICE_BYTES) {
    inflater.push(input.subarray(offset, offset + INFLATE_SLICE_BYTES), offset + INFLATE_SLICE_BYTES >= input.length);
  }
  if (!ended) throw new Error('unexpected end of file');
  return Buffer.concat(parts, total);
}

type Callback = (error: Error | null, result: Buffer) => void;

/**
 * node:zlib's callback `deflate`, as framerpc uses it for payloads of 64 KiB and more: the synchronous
 * fflate call on a later task (a page has no thread pool to hand it to), so the caller's ordering holds.
 */
export function deflate(input: Uint8Array, options: { level?: number }, callback: Callback): void {
  setTimeout(() => {
    let result: Buffer;
    try {
      result = deflateSync(input, options);
    } catch (error) {
      callback(error as Error, Buffer.alloc(0));
      return;
    }
    callback(null, result);
  }, 0);
}

/** node:zlib's callback `inflate` with `maxOutputLength`, as `deflate` above: the synchronous inflater on a later task. */
export function inflate(input: Uint8Array, options: { maxOutputLength?: number }, callback: Callback): void {
  setTimeout(() => {
    let result: Buffer;
    try {
      result = inflateSync(input, options);
    } catch (error) {
      callback(error as Error, Buffer.alloc(0));
      return;
    }
    callback(null, result);
  }, 0);
}
