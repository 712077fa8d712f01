// A hand-driven RPC peer on the transport's RawPeer: writes CALL/MESSAGE/CANCEL/WINDOW frames a test
// chooses (valid or not) and decodes the STATUS frames the server answers with.
import { encodeCallHeader } from '../../src/rpc/call-header';
import { decodeCallStatus, type CallStatus } from '../../src/rpc/call-status';
import type { Metadata } from '../../src/rpc/metadata';
import { FrameFlag, FrameKind } from '../../src/codec/wire';
import type { TransportOptions } from '../../src/transport/transport-options';
import { RawPeer, rawFrame, validPreface, type RawFrame } from '../transport/tcp/raw-peer';

export interface RawCall {
  timeoutMs?: number;
  metadata?: Metadata;
  /** The request bytes carried in the CALL frame (unary and server-streaming calls). */
  message?: Uint8Array;
  /** Set END_STREAM on the CALL frame. Default: true when `message` is given. */
  endStream?: boolean;
}

export class RawRpcClient {
  private constructor(readonly peer: RawPeer) {}

  /** `options`: the transport options whose preface the client sends (its windows, say). */
  static async connect(port: number, options: Partial<TransportOptions> = {}): Promise<RawRpcClient> {
    return new RawRpcClient(await RawPeer.connect(port, validPreface({ compression: false, ...options })));
  }

  /** Sends a CALL frame for `method` ("/pkg.Service/Method") on call id `id`. */
  call(id: number, method: string, call: RawCall = {}): void {
    const payload = encodeCallHeader(Buffer.from(method, 'latin1'), call.timeoutMs ?? 0, call.metadata, call.message);
    const end = call.endStream ?? call.message !== undefined;
    this.peer.write(rawFrame(FrameKind.CALL, end ? FrameFlag.END_STREAM : 0, id, payload));
  }

  /** Sends a frame of any kind with any payload. */
  frame(kind: number, id: number, payload: Buffer = Buffer.alloc(0), flags = 0): void {
    this.peer.write(rawFrame(kind, flags, id, payload));
  }

  cancel(id: number): void {
    this.frame(FrameKind.CANCEL, id);
  }

  /** Grants `bytes` more credit on call `id` (0: the connection). */
  window(id: number, bytes: number): void {
    const payload = Buffer.alloc(4);
    payload.writeUInt32BE(bytes, 0);
    this.frame(FrameKind.WINDOW, id, payload);
  }

  /** Resolves with the STATUS of call `id` (the n-th one for that id, counting from 0). */
  async status(id: number, nth = 0): Promise<CallStatus> {
    for (;;) {
      const found = this.framesOf(id, FrameKind.STATUS);
      if (found.length > nth) return decodeCallStatus(found[nth].payload);
      await this.peer.nextFrame((f) => f.streamId === id && f.kind === FrameKind.STATUS, this.peer.frames.length);
    }
  }

  /** Frames received so far for call `id`. */
  framesOf(id: number, kind?: number): RawFrame[] {
    return this.peer.frames.filter((f) => f.streamId === id && (kind === undefined || f.kind === kind));
  }

  /** Resolves once `count` MESSAGE frames arrived for call `id`. */
  async messages(id: number, count: number): Promise<RawFrame[]> {
    for (;;) {
      const found = this.framesOf(id, FrameKind.MESSAGE);
      if (found.length >= count) return found;
      await this.peer.nextFrame((f) => f.streamId === id && f.kind === FrameKind.MESSAGE, this.peer.frames.length);
    }
  }

  get closed(): boolean {
    return this.peer.socket.destroyed;
  }

  destroy(): Promise<void> {
    return this.peer.destroy();
  }
}
