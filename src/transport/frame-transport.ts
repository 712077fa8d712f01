// What the layers above may use of a framed connection, of a listener and of a dialer: the seam a second transport plugs into.
import type { EventEmitter } from 'node:events';
import type { CompressChoice, PayloadEncoding } from '../codec/payload-codec';
import type { BackoffOptions } from './backoff';
import type { CloseInfo } from './close-info';
import type { ConnectionFlow } from './connection-flow';
import type { FrameConnectionEvents } from './frame-connection-events';
import type { FrameSink } from './frame-sink';
import type { MemoryBudget } from './memory-budget';
import type { StreamScheduler } from './stream-scheduler';
import type { TransportOptions, TransportOptionsInput } from './transport-options';
import type { CloseCode } from '../codec/wire';

/** Lifecycle of a connection: open, draining (GOAWAY sent or received, in-flight work finishing), closing, closed. */
export type FrameTransportState = 'open' | 'draining' | 'closing' | 'closed';

/**
 * One framed connection after its handshake, as the RPC client, server and push use it. Frames are
 * encoded and decoded by the codec; application frames (DATA and above) go to the sink given to
 * `start`, de-obfuscated and inflated; PING, PONG, GOAWAY and connection WINDOW frames are the
 * transport's. The TCP/TLS implementation is `FrameConnection` (transport/tcp); the in-memory pair
 * (transport/memory) runs the same code over an in-memory byte stream.
 */
export interface FrameTransport extends EventEmitter<FrameConnectionEvents> {
  /** Listener-assigned id (unique per listener), or 0 on the dialing side. */
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly state: FrameTransportState;
  /** True while new frames may be sent. */
  readonly writable: boolean;
  /** How this side encodes payloads for this peer (as negotiated); frames encoded once for many peers use it. */
  readonly encoding: PayloadEncoding;
  /** The peer's per-call window: each call's initial send credit. */
  readonly peerStreamWindow: number;
  /** The receive window for one call direction, as this side announced it. */
  readonly streamWindowBytes: number;
  /** Connection-level windows, both directions. */
  readonly flow: ConnectionFlow;
  /** Sends flow-controlled messages in fragments, in turn, under `flow`. */
  readonly scheduler: StreamScheduler;
  /** Bytes queued for the peer and not yet sent. */
  readonly outboundBytes: number;
  /** Bytes read from and written to the peer so far, framing included (for metrics). */
  readonly bytesRead: number;
  readonly bytesWritten: number;
  /** Listening side: the highest call id the RPC layer accepted; GOAWAY carries it. */
  lastAcceptedCallId: number;
  /** When the last chunk arrived (performance.now() ms): the arrival time of the frames in it. */
  readonly receivedAt: number;
  /** Stop reading while this side's own outbound queue is over its high-water mark (raw use); RPC turns it off. */
  pauseOnOwnBacklog: boolean;
  /** Units of in-flight work (beginWork/endWork): graceful shutdown waits for them. */
  readonly workInFlight: number;

  /** Sets who receives application frames (if given) and starts reading, once. */
  start(sink?: FrameSink): void;
  /** Queues one frame; false when closing, or when it would pass the outbound bound (then the connection closes). */
  send(kind: number, flags: number, streamId: number, payload: Uint8Array, compress?: CompressChoice): boolean;
  /**
   * Reserves a frame of exactly `payloadLength` bytes to be written in place at `reservedOffset` of the
   * returned buffer and committed with `commitFrame()` in the same synchronous block. Undefined when the
   * payload would be compressed or cannot be taken: then use `send`.
   */
  reserveFrame(kind: number, flags: number, streamId: number, payloadLength: number): Buffer | undefined;
  readonly reservedOffset: number;
  commitFrame(): void;
  /** Queues a frame already encoded (shared-frame `encodeFrame` with this connection's `encoding`); same bounds as `send`. */
  sendEncoded(frame: Uint8Array, deferFlush?: boolean): boolean;
  /** Sends a WINDOW frame granting `bytes` more on `streamId` (0: the whole connection). */
  sendWindow(streamId: number, bytes: number): void;
  /** Sends one flow-controlled message as MESSAGE frames (now, or queued in `scheduler`). */
  sendMessage(streamId: number, bytes: Uint8Array, endStream: boolean, borrowed: boolean, compress?: CompressChoice): void;
  /** Resolves once outbound bytes are back under the high-water mark (or the connection is closing). */
  whenWritable(): Promise<void>;
  /** True when `bytes` more could be queued without passing the outbound bound. */
  hasRoomFor(bytes: number): boolean;
  /** Hands queued frames to the peer now rather than at the end of the event-loop pass. */
  flush(): void;
  pauseReading(): void;
  resumeReading(): void;
  beginWork(): void;
  endWork(): void;
  /** GOAWAY SHUTTING_DOWN, waits for in-flight work (up to `graceMs`), then closes. */
  shutdown(graceMs: number, reason?: string): Promise<void>;
  /** Sends GOAWAY with `code` and `reason` and closes. */
  close(code?: CloseCode, reason?: string): void;
}

/** Options a listener is made with: the transport options plus the listener's own. */
export interface FrameListenerOptions extends TransportOptionsInput {
  /** Connections open at once (handshaking included); more are refused with SERVER_FULL. Default 10000. */
  maxConnections?: number;
  /** @internal Shared by every connection: bytes held for calls (set by RpcServer). */
  memoryBudget?: MemoryBudget;
}

/** A connection refused or failed before it opened. */
export interface RejectedConnection {
  readonly remoteAddress: string;
  readonly code: CloseCode;
  readonly reason: string;
}

export interface FrameListenerEvents {
  /** A connection completed its handshake; call `connection.start(sink)` to start reading. */
  connection: [connection: FrameTransport];
  /** A connection was refused or failed its handshake; the peer was sent `reason`. */
  rejected: [rejected: RejectedConnection];
}

/** Where a listener is bound. */
export interface ListenAddress {
  readonly address: string;
  readonly family: string;
  readonly port: number;
}

/** Accepts framed connections (the server side). */
export interface FrameListener extends EventEmitter<FrameListenerEvents> {
  readonly options: TransportOptions;
  /** Open connections by id. */
  readonly connections: ReadonlyMap<number, FrameTransport>;
  listen(port?: number, host?: string): Promise<ListenAddress>;
  address(): ListenAddress;
  /** Stops accepting, GOAWAY to every connection, in-flight work gets `graceMs`; resolves when all closed. */
  close(graceMs?: number): Promise<void>;
}

/** Makes a server's listener from its options. */
export type FrameListenerFactory<O extends FrameListenerOptions = FrameListenerOptions> = (options: O) => FrameListener;

/**
 * idle: not started; connecting: first attempt under way; open: a connection is usable;
 * reconnecting: lost or failed, waiting for the next attempt; closed: closed by the user or gave up.
 */
export type ClientState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Options a dialer is made with. */
export interface FrameDialerOptions extends TransportOptionsInput {
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** A connection attempt (connect and preface) must complete within this. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** Reconnect after a loss or failure; `false` turns it off. Default on, see BackoffOptions. */
  reconnect?: Partial<BackoffOptions> | false;
}

export interface FrameDialerEvents {
  /** The state changed. */
  state: [state: ClientState, previous: ClientState];
  /** A connection opened; call `connection.start(sink)` to start reading. */
  connection: [connection: FrameTransport];
  /** The current connection closed (or an attempt failed), with the reason. */
  disconnect: [info: CloseInfo];
}

/** Keeps a connection to one server open (the client side), reconnecting as its options say. */
export interface FrameDialer extends EventEmitter<FrameDialerEvents> {
  readonly options: TransportOptions;
  readonly state: ClientState;
  /** The open connection, if any. */
  readonly connection: FrameTransport | undefined;
  /** Why the last connection closed or the last attempt failed. */
  readonly lastCloseInfo: CloseInfo | undefined;
  /** Starts connecting (once); resolves with the first open connection. */
  connect(): Promise<FrameTransport>;
  /** Resolves with an open connection as soon as there is one; rejects when the dialer closes. */
  whenOpen(signal?: AbortSignal): Promise<FrameTransport>;
  /** Stops reconnecting and closes the open connection with GOAWAY. */
  close(reason?: string): void;
}

/** Makes a channel's dialer from its options. */
export type FrameDialerFactory<O extends FrameDialerOptions = FrameDialerOptions> = (options: O) => FrameDialer;
