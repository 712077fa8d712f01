// Turns a received payload back into what was sent: checks obfuscation against the negotiation, XORs, inflates (capped).
import { inflateSync } from 'node:zlib';
import { FrameError } from './frame-error';
import { xorInPlace } from './xor-obfuscator';
import { CloseCode, FrameFlag } from './wire';

/**
 * The payload of a received frame as the sender's application gave it. `xorKey`: this connection's key
 * (undefined without obfuscation); `maxBytes` caps inflating, so a zip bomb costs at most that.
 */
export function openPayload(flags: number, streamId: number, payload: Buffer, xorKey: Uint8Array | undefined, acceptsCompressed: boolean, maxBytes: number): Buffer {
  const obfuscated = (flags & FrameFlag.OBFUSCATED) !== 0;
  if (obfuscated !== (xorKey !== undefined)) {
    throw new FrameError(CloseCode.PROTOCOL_ERROR, obfuscated ? 'obfuscated frame on a connection without obfuscation' : 'plain frame on an obfuscated connection');
  }
  if (obfuscated) xorInPlace(payload, xorKey as Uint8Array);
  if ((flags & FrameFlag.COMPRESSED) === 0) return payload;
  if (!acceptsCompressed) throw new FrameError(CloseCode.PROTOCOL_ERROR, 'compressed frame, but this side did not accept compression');
  try {
    // maxOutputLength stops inflating as soon as the output passes the limit.
    return inflateSync(payload, { maxOutputLength: maxBytes });
  } catch (error) {
    const tooLarge = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    const reason = tooLarge
      ? `compressed frame on stream ${streamId} inflates past maxFrameBytes (${maxBytes})`
      : `compressed frame on stream ${streamId} does not inflate: ${(error as Error).message}`;
    throw new FrameError(CloseCode.COMPRESSION_ERROR, reason);
  }
}
