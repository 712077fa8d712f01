// Joins a message sent in MESSAGE fragments (MORE flag), checking the size limit as the pieces arrive.
import { appendPart } from '../codec/bytes';

const allocBuffer = (length: number): Buffer => Buffer.allocUnsafe(length);

/** The message grew past its limit: the call fails, and later fragments of it are dropped. */
export const TOO_LARGE = Symbol('too large');

/**
 * Fragments of one message of one call. A message in a single frame is handed on as it is (a view, no
 * copy); fragments are kept until the last one and joined once. The limit is checked on every fragment, so
 * an oversize message costs at most the limit before the call fails.
 */
export class MessageAssembler {
  private parts: Buffer[] = [];
  private settled = 0;
  private bytes = 0;

  /** Bytes held for the message in progress. */
  get heldBytes(): number {
    return this.bytes;
  }

  get inProgress(): boolean {
    return this.parts.length > 0;
  }

  /**
   * Adds a fragment. Returns the whole message when `more` is false, undefined while more is to come,
   * TOO_LARGE once the message passes `limit` (what was held is dropped).
   */
  add(fragment: Buffer, more: boolean, limit: number): Buffer | undefined | typeof TOO_LARGE {
    const total = this.bytes + fragment.length;
    if (total > limit) {
      this.clear();
      return TOO_LARGE;
    }
    if (!more && this.parts.length === 0) return fragment;
    // Views into the received chunks, joined once at the end (each fragment is copied exactly once; a
    // dribbling peer's tiny pieces are joined in runs on the way, see appendPart).
    this.settled = appendPart(this.parts, fragment, this.settled, allocBuffer);
    this.bytes = total;
    if (more) return undefined;
    const whole = Buffer.concat(this.parts, total);
    this.clear();
    return whole;
  }

  clear(): void {
    this.parts = [];
    this.settled = 0;
    this.bytes = 0;
  }
}

/** A message that came in one frame (no assembler needed): itself, or TOO_LARGE past `limit`. */
export function wholeMessage(payload: Buffer, limit: number): Buffer | typeof TOO_LARGE {
  return payload.length > limit ? TOO_LARGE : payload;
}
