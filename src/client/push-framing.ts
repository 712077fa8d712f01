// The PUSH frame's framing rules (stream 0, a topic that fits), checked for every PUSH a client receives.
import { FrameError } from '../codec/frame-error';
import { CloseCode } from '../codec/wire';

/** u8 topic length, then the topic (docs/protocol.md section 14). */
export const PUSH_TOPIC_LENGTH_BYTES = 1;

/**
 * Checks a PUSH frame's framing and returns where its message starts. A PUSH on a stream other than 0, an
 * empty payload, a zero topic length or a topic cut off is a protocol violation: the FrameError closes the
 * connection with PROTOCOL_ERROR (section 4: no per-frame errors), whether or not anyone listens for pushes.
 */
export function checkPushFraming(streamId: number, payload: Buffer): number {
  if (streamId !== 0) throw new FrameError(CloseCode.PROTOCOL_ERROR, `PUSH frame on stream ${streamId} (must be 0)`);
  if (payload.length < PUSH_TOPIC_LENGTH_BYTES) throw new FrameError(CloseCode.PROTOCOL_ERROR, 'PUSH payload is empty (no topic length)');
  const topicEnd = PUSH_TOPIC_LENGTH_BYTES + payload[0];
  if (payload[0] === 0 || topicEnd > payload.length) throw new FrameError(CloseCode.PROTOCOL_ERROR, `PUSH topic of ${payload[0]} bytes does not fit the ${payload.length}-byte payload`);
  return topicEnd;
}
