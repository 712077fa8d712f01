// The browser bundle's zlib (fflate): interoperates with Node's zlib both ways, caps inflating like maxOutputLength, refuses bad input.
import { deflateSync as nodeDeflate, inflateSync as nodeInflate } from 'node:zlib';
import { deflate, deflateSync, inflate, inflateSync } from '../../../src/browser/shims/zlib';
test('the browser zlib shim: Node-compatible zlib streams, the output cap, bad and truncated input', () => {
  const data = Buffer.from('hello world '.repeat(10000));
  expect(Buffer.compare(nodeInflate(deflateSync(data, { level: 1 })), data)).toBe(0);
  expect(Buffer.compare(inflateSync(nodeDeflate(data, { level: 1 }), { maxOutputLength: 1e6 }), data)).toBe(0);
  const bomb = nodeDeflate(Buffer.alloc(20e6));
  let code: unknown;
  try {
    inflateSync(bomb, { maxOutputLength: 4 * 1024 * 1024 });
  } catch (error) {
    code = (error as { code?: string }).code;
  }
  expect(code).toBe('ERR_BUFFER_TOO_LARGE');
  expect(() => inflateSync(Buffer.from('garbage!'), { maxOutputLength: 100 })).toThrow();
  expect(() => inflateSync(nodeDeflate(data).subarray(0, 50), { maxOutputLength: 1e6 })).toThrow();
});

test('the browser zlib shim: callback deflate and inflate (large payloads) agree with Node and keep the cap', async () => {
  const data = Buffer.from('hello async '.repeat(20000));
  const deflated = await new Promise<Buffer>((resolve, reject) => deflate(data, { level: 1 }, (error, result) => (error ? reject(error) : resolve(result))));
  expect(Buffer.compare(nodeInflate(deflated), data)).toBe(0);
  const inflated = await new Promise<Buffer>((resolve, reject) => inflate(nodeDeflate(data), { maxOutputLength: 1e6 }, (error, result) => (error ? reject(error) : resolve(result))));
  expect(Buffer.compare(inflated, data)).toBe(0);
  const capped = await new Promise<unknown>((resolve) => inflate(nodeDeflate(Buffer.alloc(20e6)), { maxOutputLength: 1 << 20 }, (error) => resolve((error as { code?: string } | null)?.code)));
  expect(capped).toBe('ERR_BUFFER_TOO_LARGE');
});
