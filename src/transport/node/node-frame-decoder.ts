// The codec's frame decoder fed Node Buffers (socket chunks): every payload it hands out is a Buffer.
import { FrameDecoder, type DecodedFrameSink } from '../../codec/frame-decoder';

/**
 * Plain MESSAGE frames of this size or more that span socket reads are handed on in pieces, one per read,
 * rather than joined: the RPC layer joins a message's fragments anyway (one copy instead of two).
 */
export const SPLIT_MESSAGES_FROM = 16 * 1024;

const allocBuffer = (length: number): Buffer => Buffer.allocUnsafe(length);

/** A FrameDecoder over Buffers: views of a chunk stay Buffers, and frames spread over chunks are joined into one. */
export class NodeFrameDecoder extends FrameDecoder<Buffer> {
  constructor(maxFrameBytes: number, sink: DecodedFrameSink<Buffer>, splitMessagesFrom?: number) {
    super(maxFrameBytes, sink, allocBuffer, splitMessagesFrom);
  }
}
