// The browser bundle's zlib (fflate): interoperates with Node's zlib both ways, caps inflating like maxOutputLength, refuses bad input.
import { deflateSync as nodeDeflate, inflateSync as nodeInflate } from 'node:zlib';
import { deflateSync, inflateSync } from '../../../src/browser/shims/zlib';
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
