// The local error classes that have no layer of their own: bad options, bad arguments, and misuse found at run time.
import { ErrorCode } from './catalogue';

/**
 * An option out of range or of the wrong type, thrown when options are resolved (constructors, createChannel,
 * loadServiceDefinitions). A TypeError, as before it had a code; `option` names the bad field.
 */
export class FramerpcOptionError extends TypeError {
  override readonly name = 'FramerpcOptionError';
  readonly code = ErrorCode.INVALID_OPTION;

  constructor(
    /** The option at fault, as the caller spelled it (e.g. "maxFrameBytes"). */
    readonly option: string,
    message: string,
  ) {
    super(message);
  }
}

/** An argument of the wrong shape (a metadata key or value, a channel target, a method path). A TypeError. */
export class FramerpcArgumentError extends TypeError {
  override readonly name = 'FramerpcArgumentError';

  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A misuse of the API found at run time (a service registered twice, headers sent twice, a missing peer package). */
export class FramerpcError extends Error {
  override readonly name = 'FramerpcError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
