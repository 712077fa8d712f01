// node:zlib in the browser bundle: the constants the options check reads; no compression (the browser client does not offer it).
export const constants = { Z_DEFAULT_COMPRESSION: -1 };

function unavailable(): never {
  throw new Error('framerpc browser build: frame compression is not available (the browser client never offers it)');
}

export const deflateSync = unavailable;
export const inflateSync = unavailable;
