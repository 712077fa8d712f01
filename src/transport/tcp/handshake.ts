// The preface exchange that opens every connection, bounded by handshakeTimeoutMs.
import type { ByteStream as Socket } from '../byte-stream';
import { GOAWAY_FIXED_BYTES, MAX_REASON_BYTES, decodeGoaway, encodeGoaway } from '../../codec/goaway';
import { listenToSocket, releaseSocket } from './socket-listeners';
import { FrameError } from '../../codec/frame-error';
import { encodeFrame } from '../shared-frame';
import { checkObfuscation, decodePreface, encodePreface, type Preface } from '../../codec/preface';
import type { TransportOptions } from '../transport-options';
import { xorKeyCheck } from '../xor-key';
import { CloseCode, FRAME_HEADER_BYTES, Feature, FrameKind, PREFACE_BYTES, PROTOCOL_VERSION, Role } from '../../codec/wire';

/** The outcome of a successful handshake. */
export interface HandshakeResult {
  readonly peer: Preface;
  /** Bytes the peer sent after its preface, to be fed to the frame decoder. */
  readonly leftover: Buffer;
}

const PLAIN = { compressMinBytes: Infinity, compressionLevel: 0, xorKey: undefined };
// A refusal's payload: the u16 code and a reason of at most MAX_REASON_BYTES.
const MAX_REFUSAL_BYTES = GOAWAY_FIXED_BYTES + MAX_REASON_BYTES;

/** This side's preface for `options`. */
export function localPreface(options: TransportOptions, role: Role): Preface {
  let features = 0;
  if (options.compression) features |= Feature.COMPRESSION;
  if (options.xorKey) features |= Feature.OBFUSCATION;
  return {
    version: PROTOCOL_VERSION,
    features,
    role,
    keyCheck: xorKeyCheck(options.xorKey),
    connectionWindow: options.connectionWindowBytes,
    streamWindow: options.streamWindowBytes,
  };
}

/** Sends a plain GOAWAY (never obfuscated: the peer may not share our key) and ends the socket. */
export function refuse(socket: Socket, code: number, reason: string, closeTimeoutMs: number): void {
  if (socket.destroyed) return;
  socket.end(encodeFrame(FrameKind.GOAWAY, 0, 0, encodeGoaway(code, reason), PLAIN));
  // Discard what the peer still sends, so its FIN is seen and the socket closes as soon as it hangs up
  // (a paused socket would linger until the timer, holding up FrameServer.close()).
  socket.resume();
  setTimeout(() => socket.destroy(), closeTimeoutMs).unref();
}

/**
 * Server side: waits for the client's preface, validates it, answers with ours. On failure the client
 * is sent a GOAWAY with the reason and the promise rejects with a FrameError carrying the same reason.
 */
export function acceptHandshake(socket: Socket, options: TransportOptions): Promise<HandshakeResult> {
  const ours = localPreface(options, Role.SERVER);
  return readPreface(socket, options, 'server').then(
    ({ bytes, leftover }) => {
      let peer: Preface;
      try {
        peer = decodePreface(bytes, Role.CLIENT);
        checkObfuscation(ours, peer, 'server');
      } catch (error) {
        const failure = error as FrameError;
        refuse(socket, failure.closeCode, failure.message, options.closeTimeoutMs);
        throw failure;
      }
      socket.write(encodePreface(ours));
      return { peer, leftover };
    },
    (error: FrameError) => {
      refuse(socket, error.closeCode, error.message, options.closeTimeoutMs);
      throw error;
    },
  );
}

/** Client side: sends our preface, then reads the server's preface or its refusal (a GOAWAY frame). */
export function initiateHandshake(socket: Socket, options: TransportOptions): Promise<HandshakeResult> {
  const ours = localPreface(options, Role.CLIENT);
  socket.write(encodePreface(ours));
  return readPreface(socket, options, 'client').then(({ bytes, leftover }) => {
    const peer = decodePreface(bytes, Role.SERVER);
    checkObfuscation(ours, peer, 'client');
    return { peer, leftover };
  });
}

/**
 * Reads exactly one preface. A client may instead receive a GOAWAY frame (its first byte is a length
 * byte, 0x00 for any reason, never the 'F' of the magic): the refusal becomes the rejection reason.
 */
function readPreface(socket: Socket, options: TransportOptions, role: 'server' | 'client'): Promise<{ bytes: Buffer; leftover: Buffer }> {
  return new Promise((resolve, reject) => {
    let received: Buffer = Buffer.alloc(0);
    const timer = setTimeout(() => {
      finish();
      reject(new FrameError(CloseCode.TIMEOUT, `no preface within handshakeTimeoutMs (${options.handshakeTimeoutMs} ms)`));
    }, options.handshakeTimeoutMs);
    timer.unref();
    const onData = (chunk: Buffer): void => {
      received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
      if (role === 'client' && received[0] === 0x00) {
        // A refusal frame: wait for its header and reason, bounded.
        if (received.length < FRAME_HEADER_BYTES) return;
        const length = received.readUInt32BE(0);
        if (received[4] !== FrameKind.GOAWAY || length > MAX_REFUSAL_BYTES) {
          finish();
          reject(new FrameError(CloseCode.HANDSHAKE_FAILED, 'not a framerpc server: unexpected bytes instead of a preface'));
          return;
        }
        if (received.length < FRAME_HEADER_BYTES + length) return;
        finish();
        let refusal: { code: number; reason: string };
        try {
          refusal = decodeGoaway(received.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + length));
        } catch (error) {
          // Thrown here it would escape the 'data' listener (crashing the process) and leave the promise pending.
          reject(new FrameError(CloseCode.HANDSHAKE_FAILED, `not a framerpc server: ${(error as Error).message}`));
          return;
        }
        reject(new FrameError(refusal.code as CloseCode, refusal.reason || `the server refused the connection with close code ${refusal.code} and no reason`));
        return;
      }
      if (received.length < PREFACE_BYTES) {
        // Fail fast on a wrong magic instead of waiting for 12 bytes that may never come.
        if (!isMagicPrefix(received)) {
          finish();
          reject(new FrameError(CloseCode.HANDSHAKE_FAILED, `not a framerpc peer: expected preface magic "FRPC", got ${JSON.stringify(received.toString('latin1', 0, 4))}`));
        }
        return;
      }
      finish();
      resolve({ bytes: received.subarray(0, PREFACE_BYTES), leftover: received.subarray(PREFACE_BYTES) });
    };
    const onClose = (): void => {
      finish();
      reject(new FrameError(CloseCode.CONNECTION_LOST, 'connection closed during the handshake'));
    };
    const onError = (error: Error): void => {
      finish();
      reject(new FrameError(CloseCode.CONNECTION_LOST, `connection error during the handshake: ${error.message}`));
    };
    function finish(): void {
      clearTimeout(timer);
      socket.pause();
      releaseSocket(socket); // the connection takes the same listeners over
    }
    listenToSocket(socket, { onSocketData: onData, onSocketClose: onClose, onSocketError: onError, onSocketDrain() {} });
    socket.resume();
  });
}

function isMagicPrefix(bytes: Buffer): boolean {
  const magic = 'FRPC';
  for (let i = 0; i < bytes.length && i < 4; i++) if (bytes[i] !== magic.charCodeAt(i)) return false;
  return true;
}
