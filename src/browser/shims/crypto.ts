// node:crypto in the browser bundle: obfuscation (xorKey, whose key check uses SHA-256) is not offered in the browser.
export function createHash(): never {
  throw new Error('framerpc browser build: xorKey obfuscation is not available in the browser (use wss:// for security)');
}
