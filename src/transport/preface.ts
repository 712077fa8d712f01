// The connection preface: each side's first 12 bytes, naming the protocol, version and features.
import { FrameError } from './frame-error';
import { CloseCode, Feature, PREFACE_BYTES, PREFACE_MAGIC, PROTOCOL_VERSION } from './wire';

/** What a preface announces. */
export interface Preface {
  readonly version: number;
  readonly features: number;
  readonly keyCheck: number;
}

/** Encodes a preface: "FRPC", version, features, two reserved zero bytes, key check. */
export function encodePreface(preface: Preface): Buffer {
  const bytes = Buffer.alloc(PREFACE_BYTES);
  PREFACE_MAGIC.copy(bytes, 0);
  bytes[4] = preface.version;
  bytes[5] = preface.features;
  bytes.writeUInt32BE(preface.keyCheck >>> 0, 8);
  return bytes;
}

/** Parses a preface, throwing HANDSHAKE_FAILED with a reason a person can act on. */
export function decodePreface(bytes: Buffer): Preface {
  if (bytes.length < PREFACE_BYTES || !bytes.subarray(0, 4).equals(PREFACE_MAGIC)) {
    const seen = JSON.stringify(bytes.subarray(0, 4).toString('latin1'));
    throw new FrameError(CloseCode.HANDSHAKE_FAILED, `not a framerpc peer: expected preface magic "FRPC", got ${seen}`);
  }
  const version = bytes[4];
  if (version !== PROTOCOL_VERSION) {
    throw new FrameError(CloseCode.HANDSHAKE_FAILED, `unsupported protocol version ${version} (this side speaks ${PROTOCOL_VERSION})`);
  }
  if (bytes[6] !== 0 || bytes[7] !== 0) {
    throw new FrameError(CloseCode.HANDSHAKE_FAILED, 'preface reserved bytes must be zero');
  }
  return { version, features: bytes[5], keyCheck: bytes.readUInt32BE(8) };
}

/** Checks that both sides obfuscate with the same key, or both not at all. */
export function checkObfuscation(ours: Preface, theirs: Preface, role: 'server' | 'client'): void {
  const weObfuscate = (ours.features & Feature.OBFUSCATION) !== 0;
  const theyObfuscate = (theirs.features & Feature.OBFUSCATION) !== 0;
  if (weObfuscate !== theyObfuscate) {
    // Named by role, not "this side": the reason is read by both ends (a refusal travels to the client).
    const [us, them] = role === 'server' ? ['server', 'client'] : ['client', 'server'];
    const who = weObfuscate ? `the ${us} uses an XOR key and the ${them} does not` : `the ${them} uses an XOR key and the ${us} does not`;
    throw new FrameError(CloseCode.HANDSHAKE_FAILED, `obfuscation mismatch: ${who}`);
  }
  if (weObfuscate && ours.keyCheck !== theirs.keyCheck) {
    throw new FrameError(CloseCode.HANDSHAKE_FAILED, 'obfuscation key mismatch: the peer is configured with a different XOR key');
  }
}
