// The shape rules of received frames that do not depend on connection state (docs/protocol.md sections 5, 9).
import { FrameError } from './frame-error';
import { CloseCode, FrameFlag, FrameKind, PING_PAYLOAD_BYTES, WINDOW_PAYLOAD_BYTES } from './wire';

/**
 * Throws PROTOCOL_ERROR for a frame no peer may send, whatever the connection's state: MORE on a kind other
 * than MESSAGE, a WINDOW that is not 4 bytes (for any id), a control frame off stream 0, a PING or PONG
 * that is not 8 bytes. `payload` is as opened (de-obfuscated, inflated).
 */
export function checkFrameShape(kind: number, flags: number, streamId: number, payload: Uint8Array): void {
  if ((flags & FrameFlag.MORE) !== 0 && kind !== FrameKind.MESSAGE) {
    throw new FrameError(CloseCode.PROTOCOL_ERROR, `MORE flag on frame kind 0x${kind.toString(16)} (only MESSAGE frames are fragmented)`);
  }
  if (kind === FrameKind.WINDOW) {
    if (payload.length !== WINDOW_PAYLOAD_BYTES) throw new FrameError(CloseCode.PROTOCOL_ERROR, `WINDOW payload must be ${WINDOW_PAYLOAD_BYTES} bytes, got ${payload.length}`);
    return;
  }
  if (kind >= FrameKind.DATA) return;
  if (streamId !== 0) throw new FrameError(CloseCode.PROTOCOL_ERROR, `control frame kind 0x${kind.toString(16).padStart(2, '0')} on stream ${streamId} (must be 0)`);
  if ((kind === FrameKind.PING || kind === FrameKind.PONG) && payload.length !== PING_PAYLOAD_BYTES) {
    throw new FrameError(CloseCode.PROTOCOL_ERROR, `${kind === FrameKind.PING ? 'PING' : 'PONG'} payload must be ${PING_PAYLOAD_BYTES} bytes, got ${payload.length}`);
  }
}
