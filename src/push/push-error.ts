// Local errors of the push layer: each has a stable `code` (src/errors/catalogue.ts) and a message that says what to do instead.
import { ErrorCode } from '../errors';

/** Every code a PushError can carry (docs/errors.md and docs/push.md list them). */
export const PushErrorCode = {
  /** An option is out of range; the message names it. */
  BAD_OPTION: ErrorCode.PUSH_BAD_OPTION,
  /** An event service has a streaming method, or a method path that cannot be a topic. */
  BAD_EVENT_SERVICE: ErrorCode.PUSH_BAD_EVENT_SERVICE,
  /** A room name is empty or longer than 255 UTF-8 bytes. */
  BAD_ROOM: ErrorCode.PUSH_BAD_ROOM,
  /** subscribePush was handed a definition whose method keys collide with the subscription's own members. */
  RESERVED_EVENT_NAME: ErrorCode.PUSH_RESERVED_EVENT_NAME,
  /** The subscription was closed; create a new one with subscribePush. */
  CLOSED: ErrorCode.PUSH_CLOSED,
  /** A connection id given as a string is not a global id ("nodeId:connectionId"). */
  BAD_CONNECTION_ID: ErrorCode.PUSH_BAD_CONNECTION_ID,
  /** Two hubs with the same nodeId on one bus, or one bus given to a second hub. */
  NODE_ID_TAKEN: ErrorCode.PUSH_NODE_ID_TAKEN,
} as const;
export type PushErrorCode = (typeof PushErrorCode)[keyof typeof PushErrorCode];

/** A misuse of the push API, raised locally (never sent over the wire). */
export class PushError extends Error {
  override readonly name = 'PushError';
  constructor(
    readonly code: PushErrorCode,
    message: string,
  ) {
    super(message);
  }
}
