// What a FrameConnection tells its users: closed, going away (with the last call id), drained, idle.
import type { CloseInfo } from './close-info';

/** A GOAWAY from the peer: why, and (from a server) the last call it accepted; calls above it never ran. */
export interface GoawayInfo extends CloseInfo {
  readonly lastCallId: number;
}

export interface FrameConnectionEvents {
  /** The connection closed; emitted exactly once. */
  close: [info: CloseInfo];
  /** The peer announced it is going away (GOAWAY); in-flight work may still finish. */
  goaway: [info: GoawayInfo];
  /** Everything queued was handed to the socket after backpressure. */
  drain: [];
  /** The count of in-flight work (beginWork/endWork) returned to zero. */
  idle: [];
}
