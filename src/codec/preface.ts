// The connection preface: each side's first 12 bytes, naming the protocol, version and features.
import { latin1Text, readU32, writeU32 } from './bytes';
import { FrameError } from './frame-error';
import { CloseCode, Feature, PREFACE_BYTES, PREFACE_MAGIC, PROTOCOL_VERSION, Role } from './wire';

/** What a preface announces. */
export interface Preface {
  readonly version: number;
  readonly features: number;
  /** Who sent it (Role.CLIENT or Role.SERVER). */
  readonly role: Role;
  readonly keyCheck: number;
  /** Bytes the sender lets its peer send on the whole connection before it grants more (WINDOW on stream 0). */
  readonly connectionWindow: number;
  /** Bytes the sender lets its peer send on each call, per direction, before it grants more. */
  readonly streamWindow: number;
}

/** Encodes a preface: "FRPC", version, features, role, a reserved zero byte, key check, the two windows. */
export function encodePreface(preface: Preface): Uint8Array {
  const bytes = new Uint8Array(PREFACE_BYTES);
  bytes.set(PREFACE_MAGIC, 0);
  bytes[4] = preface.version;
  bytes[5] = preface.features;
  bytes[6] = preface.role;
  writeU32(bytes, 8, preface.keyCheck >>> 0);
  writeU32(bytes, 12, preface.connectionWindow >>> 0);
  writeU32(bytes, 16, preface.streamWindow >>> 0);
  return bytes;
}

function hasMagic(bytes: Uint8Array): boolean {
  for (let i = 0; i < PREFACE_MAGIC.length; i++) if (bytes[i] !== PREFACE_MAGIC[i]) return false;
  return true;
}

/**
 * Parses a preface, throwing HANDSHAKE_FAILED with a reason a person can act on. `expected` is the role
 * the peer must have: a server reading a client's preface, or a client reading a server's.
 */
export function decodePreface(bytes: Uint8Array, expected?: Role): Preface {
  if (bytes.length < PREFACE_BYTES || !hasMagic(bytes)) {
    const seen = JSON.stringify(latin1Text(bytes.subarray(0, 4)));
    throw new FrameError(CloseCode.HANDSHAKE_FAILED, `not a framerpc peer: expected preface magic "FRPC", got ${seen}`);
  }
  const version = bytes[4];
  if (version !== PROTOCOL_VERSION) {
    throw new FrameError(CloseCode.HANDSHAKE_FAILED, `unsupported protocol version ${version} (this side speaks ${PROTOCOL_VERSION})`);
  }
  const role = bytes[6];
  if (role !== Role.CLIENT && role !== Role.SERVER) {
    throw new FrameError(CloseCode.HANDSHAKE_FAILED, `preface role must be 1 (client) or 2 (server), got ${role}`);
  }
  if (expected !== undefined && role !== expected) {
    const [want, got] = expected === Role.SERVER ? ['a server', 'a client'] : ['a client', 'a server'];
    throw new FrameError(CloseCode.HANDSHAKE_FAILED, `expected ${want}'s preface, got ${got}'s (is the peer an echo server, or a second server?)`);
  }
  if (bytes[7] !== 0) {
    throw new FrameError(CloseCode.HANDSHAKE_FAILED, 'preface reserved byte must be zero');
  }
  const connectionWindow = readU32(bytes, 12);
  const streamWindow = readU32(bytes, 16);
  if (connectionWindow === 0 || streamWindow === 0) {
    throw new FrameError(CloseCode.HANDSHAKE_FAILED, `preface windows must be positive (connection ${connectionWindow}, stream ${streamWindow})`);
  }
  return { version, features: bytes[5], role, keyCheck: readU32(bytes, 8), connectionWindow, streamWindow };
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
