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

/** The set of reasons holding one socket paused; the socket pauses on the first and resumes after the last. */
export class ReadPause {
  private reasons = 0;
  private live = false;

  constructor(private readonly socket: Socket) {}

  has(reason: number): boolean {
    return (this.reasons & reason) !== 0;
  }

  set(reason: number, paused: boolean): void {
    const before = this.reasons;
    this.reasons = paused ? before | reason : before & ~reason;
    if (!this.live) return;
    if (before === 0 && this.reasons !== 0) this.socket.pause();
    else if (before !== 0 && this.reasons === 0) this.socket.resume();
  }

  /** Reading starts (the connection started): the socket reads unless a reason holds it. */
  start(): void {
    this.live = true;
    if (this.reasons === 0) this.socket.resume();
  }

  /** The connection closed: the socket is left alone from now on. */
  stop(): void {
    this.live = false;
  }
}
