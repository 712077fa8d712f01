// Who receives a connection's application frames: the RPC multiplexer (client), the dispatcher (server), a raw user.

/**
 * Receives each application frame (kinds DATA and above), de-obfuscated and inflated. `payload` is a
 * view into received bytes: copy it to keep it past the call.
 */
export interface FrameSink {
  onFrame(kind: number, flags: number, streamId: number, payload: Buffer): void;
}
