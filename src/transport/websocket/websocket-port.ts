// What the byte-stream adapter needs from a WebSocket, so one adapter serves Node's `ws` and the browser's WebSocket.

/** Called by a port with what its WebSocket reports. */
export interface WebSocketPortEvents {
  /** The connection opened (client side; a server-side port is open from the start). */
  open(): void;
  /** One message arrived: bytes for a binary message, a string for a text message. */
  message(data: Uint8Array | string): void;
  /** The WebSocket closed, with the close frame's code and reason (1006 and '' when it just dropped). */
  close(code: number, reason: string): void;
  /** A transport error (refused upgrade, reset); `close` follows. */
  error(error: Error): void;
  /** Bytes buffered for sending fell to `drainedAtBytes` or below, after `watchDrain()` asked. */
  drained(): void;
}

/** One WebSocket behind a uniform face. */
export interface WebSocketPort {
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Starts reporting to `events` (once, right after construction). */
  bind(events: WebSocketPortEvents): void;
  /** Sends one binary message. */
  send(bytes: Uint8Array): void;
  /** Bytes handed to `send` and not yet written to the network. */
  readonly bufferedAmount: number;
  /** Calls `events.drained()` once `bufferedAmount` is at most `drainedAtBytes`. */
  watchDrain(drainedAtBytes: number): void;
  /** Starts the closing handshake (after the messages already sent). */
  close(code: number, reason: string): void;
  /** Drops the connection now, without the closing handshake. */
  terminate(): void;
  /** Stops reading from the network (Node); a browser cannot, and keeps delivering. */
  pause(): void;
  resume(): void;
}

/** WebSocket close codes framerpc uses (RFC 6455 section 7.4.1). */
export const WebSocketCloseCode = {
  NORMAL: 1000,
  /** A text message: framerpc takes binary messages only. */
  UNSUPPORTED_DATA: 1003,
  /** The peer broke the framerpc protocol. */
  POLICY_VIOLATION: 1008,
  /** A message over the receiver's limit (`ws` sends it itself for `maxPayload`). */
  MESSAGE_TOO_BIG: 1009,
} as const;

/** A close reason must fit the control frame: at most 123 bytes of UTF-8 (RFC 6455 section 5.5). */
export function closeReason(reason: string): string {
  if (reason.length <= 40) return reason;
  let cut = reason.slice(0, 123);
  while (new TextEncoder().encode(cut).length > 123) cut = cut.slice(0, -1);
  return cut;
}
