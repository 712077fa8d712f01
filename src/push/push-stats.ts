// The hub's delivery counters, shared by the fan-out and the push sources that encode for it.

/** Counters of a hub since it was created. */
export interface PushHubStats {
  /** Pushes requested (emitter method calls), whatever their recipient count. */
  pushes: number;
  /** Messages protobuf-encoded: at most one per push. */
  messagesEncoded: number;
  /** PUSH frames encoded: at most one per encoding variant (plain, compressed) per push. */
  framesEncoded: number;
  /** Frames queued for a connection. */
  sent: number;
  /** Pushes skipped for a connection that had fallen behind (policy 'drop' or 'disconnect'). */
  dropped: number;
  /** Connections closed by policy 'disconnect'. */
  slowDisconnects: number;
  /** Pushes handed to the bus for other nodes. */
  busPublished: number;
  /** Pushes the bus refused (too large, its queue full, cut off from its engine). */
  busRefused: number;
  /** Pushes received from other nodes through the bus. */
  busReceived: number;
}
