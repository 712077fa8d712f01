// Encodes protobuf messages through one reused writer: a new writer per message costs a zeroed buffer each.
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import type { MessageCodec } from '../service/service-definition';

const shared = new BinaryWriter();

/** Encodes `message` with `codec`, reusing one writer; the result is a fresh copy the caller owns. */
export function encodeMessage<T>(codec: MessageCodec<T>, message: T): Uint8Array {
  try {
    return codec.encode(message, shared).finish();
  } catch (error) {
    shared.finish(); // reset: a failed encode must not leave bytes for the next message
    throw error;
  }
}
