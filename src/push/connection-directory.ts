// The hub's view of the server's connections: find an open one by id, hear when one closes. No RpcServer internals.
import type { PayloadEncoding } from '../codec/payload-codec';
import type { CloseCode } from '../codec/wire';

/** What push needs of one connection: send pre-encoded frames, see its backlog, close it. */
export interface PushConnection {
  /** The server-assigned id, unique on this node (CallContext.connectionId). */
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** How frames to this peer are encoded (compression threshold, obfuscation key). */
  readonly encoding: PayloadEncoding;
  /** Bytes queued for the peer and not yet sent. */
  readonly outboundBytes: number;
  /** True while frames may still be sent. */
  readonly writable: boolean;
  /** Queues a frame encoded by encodeFrame; false if refused (closing, or past the transport's bound). */
  sendEncoded(frame: Uint8Array, deferFlush?: boolean): boolean;
  /** Writes what deferred sends left queued. */
  flush(): void;
  close(code: CloseCode, reason: string): void;
}

/**
 * The local connections a hub may push to, handed to it (PushHubOptions.directory). The default reads
 * the hub's RpcServer through its public API (serverDirectory); tests and other transports give their own.
 */
export interface ConnectionDirectory {
  /** The connection with this id, if it is open on this node. */
  get(connectionId: number): PushConnection | undefined;
  /** The transport's bound on one connection's unsent bytes: push backlog limits must stay below it. */
  readonly maxOutboundBytes: number;
  /** Calls `listener` with the id of every connection that closes; returns the function that stops it. */
  onClose(listener: (connectionId: number) => void): () => void;
}
