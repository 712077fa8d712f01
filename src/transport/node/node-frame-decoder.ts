// The codec's frame decoder fed Node Buffers (socket chunks): every payload it hands out is a Buffer.
import { FrameDecoder, type DecodedFrameSink } from '../../codec/frame-decoder';

const allocBuffer = (length: number): Buffer => Buffer.allocUnsafe(length);

/** A FrameDecoder over Buffers: views of a chunk stay Buffers, and frames spread over chunks are joined into one. */
export class NodeFrameDecoder extends FrameDecoder<Buffer> {
  constructor(maxFrameBytes: number, sink: DecodedFrameSink<Buffer>) {
    super(maxFrameBytes, sink, allocBuffer);
  }
}
