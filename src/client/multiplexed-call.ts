// What the multiplexer needs of a call it routes frames to: its own file, so that the multiplexer and the
// call class (which holds its multiplexer) do not import each other.
import type { CallStatus } from '../rpc/call-status';
import type { Status } from '../rpc/status';

/** A call in flight on a multiplexer, as the multiplexer sees it; ClientCall is the one implementation. */
export interface MultiplexedCall {
  /** Assigned by the multiplexer when the call is added. */
  id: number;
  readonly done: boolean;
  onHeaders(payload: Buffer): void;
  onMessage(payload: Buffer, flags: number): void;
  /** The common unary reply: OK with one message and nothing else; the message is `payload` from `offset` on. */
  onOkMessage(payload: Buffer, offset: number): void;
  onStatus(status: CallStatus): void;
  onWindow(bytes: number): void;
  /** The server proved it never ran this call (GOAWAY below its id). */
  notProcessed(reason: string): void;
  /** Ends the call locally and tells the server to stop. */
  cancel(code: Status, text: string): void;
  /** Ends the call locally with this status. */
  fail(code: Status, text: string): void;
}
