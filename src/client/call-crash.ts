// The safety net for an exception while routing one call's frame on the client: that call fails, the rest carry on.
import { Status } from '../rpc/status';
import type { MultiplexedCall } from './multiplexed-call';

/**
 * Called when routing a frame of `call` threw something other than a FrameError (e.g. the caller's own
 * `onTrailers` callback threw): the call fails with INTERNAL naming the error, and the server is told to
 * stop (a CANCEL, ignored if the call already ended there). Other calls and the connection are untouched.
 */
export function failCallAfterCrash(call: MultiplexedCall | undefined, kind: number, error: unknown): void {
  const text = `internal error while handling frame kind 0x${kind.toString(16)} of this call: ${(error as Error)?.message ?? String(error)}`;
  if (!call || call.done) {
    process.emitWarning(`framerpc: ${text}`);
    return;
  }
  call.cancel(Status.INTERNAL, text);
}
