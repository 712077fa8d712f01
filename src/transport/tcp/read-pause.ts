// Who holds a connection's reading paused: the application, or (raw transport only) its own outbound backlog.
import type { ByteStream as Socket } from '../byte-stream';

/** Reasons reading may be paused; the socket reads while none holds it. */
export const PauseReason = {
  /** Raw transport: our outbound queue is over its high-water mark (an RPC connection never uses this). */
  BACKLOG: 1,
  /** The application called pauseReading(). */
  APPLICATION: 2,
  /** A large compressed frame is inflating off the event loop; frames after it wait. */
  INFLATE: 4,
} as const;

/** The set of reasons holding one socket paused (the connection keeps it: no object of its own per connection). */
export interface ReadPauses {
  hasReadPause(reason: number): boolean;
  /** The socket pauses on the first reason and resumes after the last (once reading has started). */
  setReadPause(reason: number, paused: boolean): void;
}

/** Applies a change of the reasons to the socket: paused on the first, resumed after the last. */
export function applyReadPause(socket: Socket, before: number, after: number): void {
  if (before === 0 && after !== 0) socket.pause();
  else if (before !== 0 && after === 0) socket.resume();
}
