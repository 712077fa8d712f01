// How large a connection window must be for the messages it carries, and the default that follows.
import { MAX_UNGRANTED_BYTES } from '../codec/wire';
import { FramerpcOptionError } from '../errors';

/**
 * The connection window a side grants its peer unless told otherwise: 8 MiB, or twice the largest
 * message it accepts when that is more (a message must fit the window whole, with room for the credit not yet granted).
 */
export function defaultConnectionWindow(maxMessageBytes: number): number {
  return Math.min(0x7fff_ffff, Math.max(8 * 1024 * 1024, 2 * maxMessageBytes));
}

/** Rejects a window that a message of the limit could never pass (it would wait for credit forever). */
export function checkWindowFitsMessages(windowBytes: number, maxMessageBytes: number, side: string): void {
  if (windowBytes < maxMessageBytes + MAX_UNGRANTED_BYTES) {
    throw new FramerpcOptionError(
      'connectionWindowBytes',
      `${side} option connectionWindowBytes (${windowBytes}) must be at least the largest message (${maxMessageBytes}) plus ${MAX_UNGRANTED_BYTES}: a message must fit the window whole; raise it, or leave it out for the default`,
    );
  }
}
