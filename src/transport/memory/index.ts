// The in-memory transport for tests: the TCP implementation over in-memory byte streams.
export { MemoryNetwork, createMemoryTransportPair, type MemoryTransportPair } from './memory-network';
export { MemoryByteStream, createMemoryStreamPair } from './memory-byte-stream';
