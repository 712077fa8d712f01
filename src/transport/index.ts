// The transport layer's public surface.
export * from './wire';
export * from './close-info';
export * from './frame-error';
export * from './frame-decoder';
export * from './frame-encoder';
export * from './transport-options';
export * from './backoff';
export * from './frame-connection';
export * from './frame-server';
export * from './frame-client';
export { xorInPlace } from './xor-obfuscator';
export { encodePreface, decodePreface, type Preface } from './preface';
export { encodeGoaway, decodeGoaway } from './goaway';
