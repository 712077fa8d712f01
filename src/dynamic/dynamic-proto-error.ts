// The one local error of the dynamic path: a .proto that cannot be loaded, or a message that does not fit its type.
import { ErrorCode } from '../errors';

/** What went wrong; stable strings to branch on (src/errors/catalogue.ts, docs/errors.md). */
export const DynamicProtoErrorCode = {
  /** A .proto file (or one it imports) is in none of the include directories. */
  NOT_FOUND: ErrorCode.PROTO_NOT_FOUND,
  /** A .proto file has a syntax error. */
  SYNTAX: ErrorCode.PROTO_SYNTAX,
  /** A type a .proto names is defined nowhere in the loaded files. */
  UNRESOLVED: ErrorCode.PROTO_UNRESOLVED,
  /** A message object does not match its type (encode side). */
  INVALID_MESSAGE: ErrorCode.PROTO_INVALID_MESSAGE,
} as const;
export type DynamicProtoErrorCode = (typeof DynamicProtoErrorCode)[keyof typeof DynamicProtoErrorCode];

/** Thrown by loadServiceDefinitions and by dynamic encoders; `file` names the .proto when there is one. */
export class DynamicProtoError extends Error {
  override readonly name = 'DynamicProtoError';

  constructor(
    readonly code: DynamicProtoErrorCode,
    message: string,
    readonly file?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
