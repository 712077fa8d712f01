// The transport layer's public surface.
export * from '../codec/wire';
export * from './close-info';
export * from '../codec/frame-error';
export * from '../codec/frame-decoder';
export * from './shared-frame';
export * from './transport-options';
export * from './backoff';
export * from './tcp/frame-connection';
export * from './tcp/frame-server';
export * from './tcp/frame-client';
export { xorInPlace } from '../codec/xor-obfuscator';
export { encodePreface, decodePreface, type Preface } from '../codec/preface';
export { encodeGoaway, decodeGoaway } from '../codec/goaway';
export * from './frame-sink';
export { NodeFrameDecoder } from './node/node-frame-decoder';
