// Shared pieces of the decoder property tests: run a decoder and accept only its documented error,
// cut bytes at arbitrary points, mutate valid encodings, and measure what a call allocated.
import * as fc from 'fast-check';

/** The outcome of one decode: the value, or the documented error it threw. */
export type Decoded<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

/**
 * Runs `decode` and returns its value, or the error when it is an instance of `errorType` with a
 * non-empty message. Anything else thrown (a RangeError from reading past the end, a TypeError...) is
 * rethrown, so the property fails with the real stack.
 */
export function decodeOrError<T, E extends Error>(decode: () => T, errorType: abstract new (...args: never[]) => E): Decoded<T, E> {
  try {
    return { ok: true, value: decode() };
  } catch (error) {
    if (!(error instanceof errorType)) throw error;
    if (error.message.length === 0) throw new Error(`${errorType.name} without a message`);
    return { ok: false, error };
  }
}

/** A Buffer over the same bytes as `bytes` (fast-check generates plain Uint8Arrays). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Cuts `bytes` at the given offsets (any numbers, reduced modulo the length); the chunks concatenate back to `bytes`. */
export function splitAt(bytes: Buffer, rawCuts: readonly number[]): Buffer[] {
  const cuts = [...new Set(rawCuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    chunks.push(bytes.subarray(from, cut));
    from = cut;
  }
  return chunks;
}

/** One way to damage an encoding: overwrite a byte, cut the tail, insert bytes, or drop a byte. */
export type Mutation =
  | { readonly op: 'set'; readonly at: number; readonly value: number }
  | { readonly op: 'truncate'; readonly at: number }
  | { readonly op: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly op: 'drop'; readonly at: number };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
);

/** Applies `mutations` in order to a copy of `bytes`; offsets wrap around the current length. */
export function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Buffer {
  let out = Buffer.from(bytes);
  for (const m of mutations) {
    const at = m.at % (out.length + 1);
    if (m.op === 'set') {
      if (out.length > 0) out[at % out.length] = m.value;
    } else if (m.op === 'truncate') {
      out = out.subarray(0, at);
    } else if (m.op === 'insert') {
      out = Buffer.concat([out.subarray(0, at), m.bytes, out.subarray(at)]);
    } else if (out.length > 0) {
      const drop = at % out.length;
      out = Buffer.concat([out.subarray(0, drop), out.subarray(drop + 1)]);
    }
  }
  return out;
}

/** Valid encodings, and the same encodings damaged by one to three mutations (which reach deeper than random bytes). */
export function validOrMutated(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Buffer> {
  return fc.oneof(
    valid.map((bytes) => Buffer.from(bytes)),
    fc.tuple(valid, fc.array(mutationArb, { minLength: 1, maxLength: 3 })).map(([bytes, mutations]) => mutate(bytes, mutations)),
  );
}

/** How much `run` grew the memory held in ArrayBuffers (Buffers), in bytes, and how long it took. */
export function measure(run: () => void): { arrayBufferGrowth: number; elapsedMs: number } {
  const before = process.memoryUsage().arrayBuffers;
  const start = performance.now();
  run();
  const elapsedMs = performance.now() - start;
  return { arrayBufferGrowth: process.memoryUsage().arrayBuffers - before, elapsedMs };
}

/** Far below any length a hostile input claims (4 GiB), far above what a decoder legitimately holds here. */
export const MEMORY_SLACK_BYTES = 16 * 1024 * 1024;

/**
 * Fails unless `actual` equals `wanted`. For the inner loop of a property: jest's `expect` costs far more
 * than the decoders under test, and a few thousand runs must stay well under a second.
 */
export function same(actual: string, wanted: string): void {
  if (actual !== wanted) throw new Error(`expected ${wanted}\n     got ${actual}`);
}
