// The PUSH frame's payload: u8 topic length, topic path (ASCII), then the protobuf message. docs/push.md section 2.
import { checkPushFraming, PUSH_TOPIC_LENGTH_BYTES } from '../client/push-framing';

/** A topic path is at most this many bytes: its length is one byte on the wire. */
export const MAX_TOPIC_BYTES = 255;
/** A room name is at most this many UTF-8 bytes (rooms never go on the wire in PUSH frames; bounds memory). */
export const MAX_ROOM_BYTES = 255;

// Topic length byte, then the topic.
const TOPIC_LENGTH_BYTES = PUSH_TOPIC_LENGTH_BYTES;
// Printable ASCII only: a topic is a method path, "/pkg.Service/Method".
const TOPIC_PATTERN = /^\/[\x21-\x7e]+\/[\x21-\x7e]+$/;

/** True when `topic` is a valid topic path ("/pkg.Service/Method", printable ASCII, at most 255 bytes). */
export function isValidTopic(topic: string): boolean {
  return topic.length <= MAX_TOPIC_BYTES && TOPIC_PATTERN.test(topic);
}

/** True when `room` is a valid room name (1 to 255 UTF-8 bytes). */
export function isValidRoom(room: string): boolean {
  return typeof room === 'string' && room.length > 0 && Buffer.byteLength(room, 'utf8') <= MAX_ROOM_BYTES;
}

/** Encodes a PUSH payload; `topic` is the topic path's bytes, cached by the caller. */
export function encodePushPayload(topic: Buffer, message: Uint8Array): Buffer {
  const payload = Buffer.allocUnsafe(TOPIC_LENGTH_BYTES + topic.length + message.length);
  payload[0] = topic.length;
  topic.copy(payload, TOPIC_LENGTH_BYTES);
  payload.set(message, TOPIC_LENGTH_BYTES + topic.length);
  return payload;
}

/** A decoded PUSH payload; `message` is a view into the frame. */
export interface PushPayload {
  readonly topic: string;
  readonly message: Buffer;
}

/**
 * Decodes a PUSH payload. A PUSH frame on a stream other than 0, or whose topic is cut off, is a protocol
 * violation: the FrameError closes the connection (docs/protocol.md section 4: no per-frame errors).
 */
export function decodePushPayload(streamId: number, payload: Buffer): PushPayload {
  const topicEnd = checkPushFraming(streamId, payload);
  return { topic: payload.toString('latin1', TOPIC_LENGTH_BYTES, topicEnd), message: payload.subarray(topicEnd) };
}
