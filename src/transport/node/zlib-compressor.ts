// The FrameCompressor of Node: node:zlib, synchronous for small payloads and on the thread pool for large ones.
import { deflate, deflateSync, inflate, inflateSync } from 'node:zlib';
import { InflateLimitError, type FrameCompressor } from '../../codec/frame-compressor';

function limitError(error: unknown): unknown {
  // maxOutputLength stops inflating as soon as the output passes the limit.
  return (error as NodeJS.ErrnoException)?.code === 'ERR_BUFFER_TOO_LARGE' ? new InflateLimitError((error as Error).message) : error;
}

/** Node's zlib as a FrameCompressor; its results are Buffers (what the layers above read). */
export const zlibCompressor: FrameCompressor = {
  deflateSync(bytes, level) {
    return deflateSync(bytes, { level });
  },
  deflate(bytes, level) {
    return new Promise((resolve, reject) => deflate(bytes, { level }, (error, result) => (error ? reject(error) : resolve(result))));
  },
  inflateSync(bytes, maxBytes) {
    try {
      return inflateSync(bytes, { maxOutputLength: maxBytes });
    } catch (error) {
      throw limitError(error);
    }
  },
  inflate(bytes, maxBytes) {
    return new Promise((resolve, reject) => {
      inflate(bytes, { maxOutputLength: maxBytes }, (error, result) => (error ? reject(limitError(error)) : resolve(result)));
    });
  },
};
