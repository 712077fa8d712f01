// Encodes protobuf messages through one reused writer: a new writer per message costs a zeroed buffer each.
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import type { MessageCodec } from '../service/service-definition';

const shared = new BinaryWriter();

// The writer's bytes and position. They are not public API, so they are used only after checking they
// look as expected; otherwise encodeMessageView falls back to finish(). finish() copies the bytes into
// a new ArrayBuffer, which for a small message costs more than encoding it.
interface WriterInternals {
  buffer: Uint8Array;
  pos: number;
}
const internals = shared as unknown as WriterInternals;
const canView = internals.buffer instanceof Uint8Array && internals.pos === 0;

/** Encodes `message` with `codec`, reusing one writer; the result is a fresh copy the caller owns. */
export function encodeMessage<T>(codec: MessageCodec<T>, message: T): Uint8Array {
  try {
    return codec.encode(message, shared).finish();
  } catch (error) {
    shared.finish(); // reset: a failed encode must not leave bytes for the next message
    throw error;
  }
}

/**
 * Encodes `message` and returns a view of the shared writer's bytes, valid only until the next encode:
 * the caller must copy it (into a frame) before anything else is encoded.
 */
export function encodeMessageView<T>(codec: MessageCodec<T>, message: T): Uint8Array {
  if (!canView) return encodeMessage(codec, message);
  let writer: { finish(): Uint8Array };
  try {
    writer = codec.encode(message, shared);
  } catch (error) {
    shared.finish();
    throw error;
  }
  if (writer !== shared) return writer.finish(); // a codec with its own writer (protobufjs)
  const view = internals.buffer.subarray(0, internals.pos);
  internals.pos = 0;
  return view;
}
