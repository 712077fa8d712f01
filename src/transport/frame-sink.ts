// Who receives a connection's application frames: the RPC multiplexer (client), the dispatcher (server), a raw user.
import type { CloseInfo } from './close-info';
import type { GoawayInfo } from './frame-connection-events';

/**
 * Receives each application frame (kinds DATA and above), de-obfuscated and inflated. `payload` is a
 * view into received bytes: copy it to keep it past the call.
 */
export interface FrameSink {
  onFrame(kind: number, flags: number, streamId: number, payload: Buffer): void;
  /**
   * The connection closed: called once, just before its 'close' event. A sink that is one object per
   * connection learns of the end here without an event listener (and its closure) per connection.
   */
  onConnectionClose?(info: CloseInfo): void;
  /** The peer sent GOAWAY: called just before the connection's 'goaway' event. */
  onConnectionGoaway?(info: GoawayInfo): void;
}
