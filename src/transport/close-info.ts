// Why a connection closed: reported by every close, local or remote.
import type { CloseCode } from '../codec/wire';

/** The reason a connection closed, whichever side closed it. */
export interface CloseInfo {
  /** The close code (wire.ts `CloseCode`). */
  readonly code: CloseCode;
  /** A human-readable reason, as sent in GOAWAY or observed locally. */
  readonly reason: string;
  /** True when the peer announced the close (GOAWAY received) or dropped the socket. */
  readonly remote: boolean;
}
