// The safety net for a bug while routing one call's frame: that call fails with INTERNAL, the rest carry on.
import type { FrameTransport } from '../transport/frame-transport';
import { FrameFlag, FrameKind } from '../codec/wire';
import { encodeCallStatus } from '../rpc/call-status';
import { RpcError } from '../rpc/rpc-error';
import { Status } from '../rpc/status';
import type { ServerCall } from './server-call';
import type { Logger } from './server-options';

const INTERNAL_TEXT = 'internal server error while handling this call';

/**
 * Called when routing a frame of call `id` threw something other than a FrameError (a FrameError is the
 * peer's fault and closes the connection). Logs the error in full, ends the call with INTERNAL (a generic
 * text: the real error is never sent) and aborts its handler.
 */
export function failCallAfterCrash(connection: FrameTransport, call: ServerCall | undefined, id: number, kind: number, error: unknown, logger: Logger): void {
  logger.error(
    `framerpc: internal error while handling frame kind 0x${kind.toString(16)} of call ${id}${call ? ` (${call.method.path})` : ''}; the call fails with INTERNAL, the connection carries on`,
    error,
  );
  if (call?.done) return;
  if (call) {
    try {
      call.fail(new RpcError(Status.INTERNAL, INTERNAL_TEXT));
      if (call.done) return;
    } catch {
      // fail() itself broke: end the call locally and answer it below without trailers.
    }
    call.lost(INTERNAL_TEXT);
  }
  if (kind !== FrameKind.CALL && !call) return; // a frame for a call that already ended
  connection.send(FrameKind.STATUS, FrameFlag.END_STREAM, id, encodeCallStatus(Status.INTERNAL, INTERNAL_TEXT, '', undefined, undefined));
}
