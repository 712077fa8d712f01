// The part of a Node socket a framed connection uses: what an in-memory stream must provide to stand in for one.

/**
 * A duplex byte stream with a socket's flow control: `write` returns false and 'drain' follows when the
 * writer should wait; `pause`/`resume` stop and restart 'data'. A `net.Socket` or `tls.TLSSocket` is one;
 * so is each end of an in-memory pair (transport/memory).
 */
export interface ByteStream {
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  readonly destroyed: boolean;
  /** Bytes written and not yet taken by the peer (a socket's kernel send buffer excepted). */
  readonly writableLength: number;
  /** True after `write` returned false and before 'drain'. */
  readonly writableNeedDrain: boolean;
  readonly bytesRead: number;
  readonly bytesWritten: number;
  write(chunk: Uint8Array): boolean;
  cork(): void;
  uncork(): void;
  /** Ends the writing side after what was written (optionally one last chunk). */
  end(): unknown;
  end(chunk: Uint8Array): unknown;
  destroy(error?: Error): unknown;
  pause(): unknown;
  resume(): unknown;
  isPaused(): boolean;
  setNoDelay(noDelay?: boolean): unknown;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'close' | 'drain' | 'connect' | 'secureConnect' | 'end', listener: () => void): unknown;
  once(event: 'close' | 'drain' | 'connect' | 'secureConnect' | 'end', listener: () => void): unknown;
  off(event: 'data', listener: (chunk: Buffer) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'close' | 'drain' | 'connect' | 'secureConnect' | 'end', listener: () => void): unknown;
}
