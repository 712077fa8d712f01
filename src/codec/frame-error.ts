// The error a protocol violation raises inside the transport; it becomes the close reason of the connection.
import { CloseCode } from './wire';

/** A violation of the wire protocol: the connection is closed with `code` and this message as reason. */
export class FrameError extends Error {
  override readonly name = 'FrameError';
  constructor(
    readonly code: CloseCode,
    message: string,
  ) {
    super(message);
  }
}
