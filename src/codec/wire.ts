// Every constant of the framerpc wire format in one place; docs/protocol.md describes the same numbers.

/** Frame header: u32 payload length, u8 kind, u8 flags, u32 stream id (all big-endian). */
export const FRAME_HEADER_BYTES = 10;

/** Frame kinds. Connection-level kinds use stream id 0. */
export const FrameKind = {
  /** Liveness probe; payload is 8 opaque bytes the peer echoes in a PONG. */
  PING: 0x01,
  /** Answer to a PING, carrying the PING's 8 bytes. */
  PONG: 0x02,
  /** The sender is closing the connection; payload is u16 close code + UTF-8 reason. */
  GOAWAY: 0x03,
  /** An application message with no RPC semantics (raw transport use). */
  DATA: 0x04,
  /** RPC: opens call `streamId` (method, deadline, metadata). */
  CALL: 0x10,
  /** RPC: one protobuf message on call `streamId`. */
  MESSAGE: 0x11,
  /** RPC: response headers (metadata) for call `streamId`. */
  HEADERS: 0x12,
  /** RPC: final status and trailers of call `streamId`; ends the call. */
  STATUS: 0x13,
  /** RPC: the caller abandons call `streamId`. */
  CANCEL: 0x14,
  /** RPC: flow-control credit (u32 bytes) for call `streamId`, or for the whole connection on stream 0. */
  WINDOW: 0x15,
  /** RPC: the caller sends no more messages on call `streamId` (empty payload). */
  HALF_CLOSE: 0x16,
  /** Push: a server-initiated message on a topic. */
  PUSH: 0x20,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** Flag bits of the header's flags byte. Any other bit set is a protocol error. */
export const FrameFlag = {
  /** The payload is a zlib (RFC 1950) stream. */
  COMPRESSED: 0b0000_0001,
  /** The payload is XOR-obfuscated with the connection's key (obfuscation, not encryption). */
  OBFUSCATED: 0b0000_0010,
  /** The sender sends nothing more on this stream (RPC half-close). */
  END_STREAM: 0b0000_0100,
  /** MESSAGE only: this frame is a fragment of a message that continues in the stream's next MESSAGE frame. */
  MORE: 0b0000_1000,
} as const;
export const KNOWN_FLAGS = FrameFlag.COMPRESSED | FrameFlag.OBFUSCATED | FrameFlag.END_STREAM | FrameFlag.MORE;

const kindTable = new Uint8Array(256);
for (const kind of Object.values(FrameKind)) kindTable[kind] = 1;
/** True when `kind` is a frame kind this version of the protocol defines. */
export function isKnownKind(kind: number): boolean {
  return kindTable[kind] === 1;
}

/** Close codes carried by GOAWAY and reported on every connection close. */
export const CloseCode = {
  NORMAL: 0,
  PROTOCOL_ERROR: 1,
  FRAME_TOO_LARGE: 2,
  COMPRESSION_ERROR: 3,
  HANDSHAKE_FAILED: 4,
  TIMEOUT: 5,
  OUTBOUND_OVERFLOW: 6,
  SERVER_FULL: 7,
  SHUTTING_DOWN: 8,
  INTERNAL_ERROR: 9,
  CONNECTION_LOST: 10,
  /** The peer sent PINGs faster than the documented rate (as gRPC's too_many_pings). */
  TOO_MANY_PINGS: 11,
  /** The peer opened and cancelled calls far above the documented rate (rapid reset). */
  RAPID_RESET: 12,
  /** The peer sent more flow-controlled bytes than the window it was granted. */
  FLOW_CONTROL_ERROR: 13,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * Preface: "FRPC", u8 version, u8 features, u8 role, u8 reserved (0), u32 key check, u32 connection
 * window, u32 stream window (the credit, in bytes, the sender grants its peer at the start).
 */
export const PREFACE_BYTES = 20;
/** "FRPC" in ASCII. */
export const PREFACE_MAGIC: Uint8Array = Uint8Array.of(0x46, 0x52, 0x50, 0x43);
export const PROTOCOL_VERSION = 2;

/** Which end sent a preface: a plain echo server reflects the client's preface, and is caught by this. */
export const Role = {
  CLIENT: 1,
  SERVER: 2,
} as const;
export type Role = (typeof Role)[keyof typeof Role];

/** WINDOW payloads are exactly this long (u32 bytes of credit). */
export const WINDOW_PAYLOAD_BYTES = 4;
/**
 * A receiver grants credit back once this many released bytes (or a quarter of its window, if less) are
 * owed, so a sender is never more than this short of its full window. docs/protocol.md section 9.
 */
export const MAX_UNGRANTED_BYTES = 64 * 1024;
/** Largest MESSAGE fragment a sender writes: big enough to be cheap, small enough to interleave streams. */
export const FRAGMENT_BYTES = 64 * 1024;

/** Feature bits of the preface. */
export const Feature = {
  /** The sender accepts zlib-compressed frames. */
  COMPRESSION: 0b0000_0001,
  /** The sender obfuscates with an XOR key; the key check must match. */
  OBFUSCATION: 0b0000_0010,
} as const;
export const KNOWN_FEATURES = Feature.COMPRESSION | Feature.OBFUSCATION;

/** PING and PONG payloads are exactly this long. */
export const PING_PAYLOAD_BYTES = 8;
