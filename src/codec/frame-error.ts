// The error a protocol violation raises inside the transport; it becomes the close reason of the connection.
import { ErrorCode } from '../errors';
import { CloseCode } from './wire';

/** The catalogued code of each close code (src/errors/catalogue.ts). */
const CODE_OF_CLOSE: { readonly [code in CloseCode]: ErrorCode } = {
  [CloseCode.NORMAL]: ErrorCode.CONNECTION_CLOSED,
  [CloseCode.PROTOCOL_ERROR]: ErrorCode.CONNECTION_PROTOCOL_ERROR,
  [CloseCode.FRAME_TOO_LARGE]: ErrorCode.CONNECTION_FRAME_TOO_LARGE,
  [CloseCode.COMPRESSION_ERROR]: ErrorCode.CONNECTION_COMPRESSION_ERROR,
  [CloseCode.HANDSHAKE_FAILED]: ErrorCode.CONNECTION_HANDSHAKE_FAILED,
  [CloseCode.TIMEOUT]: ErrorCode.CONNECTION_TIMEOUT,
  [CloseCode.OUTBOUND_OVERFLOW]: ErrorCode.CONNECTION_OUTBOUND_OVERFLOW,
  [CloseCode.SERVER_FULL]: ErrorCode.CONNECTION_SERVER_FULL,
  [CloseCode.SHUTTING_DOWN]: ErrorCode.CONNECTION_SHUTTING_DOWN,
  [CloseCode.INTERNAL_ERROR]: ErrorCode.CONNECTION_INTERNAL_ERROR,
  [CloseCode.CONNECTION_LOST]: ErrorCode.CONNECTION_LOST,
  [CloseCode.TOO_MANY_PINGS]: ErrorCode.CONNECTION_TOO_MANY_PINGS,
  [CloseCode.RAPID_RESET]: ErrorCode.CONNECTION_RAPID_RESET,
  [CloseCode.FLOW_CONTROL_ERROR]: ErrorCode.CONNECTION_FLOW_CONTROL_ERROR,
};

/** The catalogued code of a close code; a code this version does not know (from a newer peer) has its own. */
export function errorCodeOfClose(closeCode: number): ErrorCode {
  return CODE_OF_CLOSE[closeCode as CloseCode] ?? ErrorCode.CONNECTION_UNKNOWN_CLOSE_CODE;
}

/**
 * A violation of the wire protocol, or the end of a connection: the connection is closed with `closeCode`
 * (on the wire) and this message as reason. `code` is the catalogued string of that close code.
 */
export class FrameError extends Error {
  override readonly name = 'FrameError';
  /** The stable string to branch on, e.g. 'ERR_CONNECTION_PROTOCOL_ERROR'. */
  readonly code: ErrorCode;

  constructor(
    /** The close code sent in the GOAWAY and reported in the close event. */
    readonly closeCode: CloseCode,
    message: string,
  ) {
    super(message);
    this.code = errorCodeOfClose(closeCode);
  }
}
