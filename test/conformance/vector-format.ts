// The shape of the conformance vector files (test/conformance/vectors/*.json); vectors/README.md is its specification.

/** Every vector file starts with these fields. */
export interface VectorFileHeader {
  /** Always "framerpc-conformance". */
  readonly format: 'framerpc-conformance';
  /** Version of this file format (README.md); not the wire protocol's version. */
  readonly formatVersion: 1;
  /** The wire protocol version the vectors were generated for (the preface's version byte). */
  readonly protocolVersion: number;
  readonly kind: 'frames' | 'handshake' | 'calls';
  readonly description: string;
}

/** A frame as the frame decoder hands it out: header fields and the payload as on the wire. */
export interface FrameSpec {
  readonly kind: number;
  readonly kindName: string;
  readonly flags: number;
  readonly streamId: number;
  readonly payloadHex: string;
}

/** A connection closed (or refused) with a GOAWAY: its code, and a substring of framerpc's reason. */
export interface CloseSpec {
  readonly code: number;
  readonly name: string;
  readonly reasonContains: string;
}

export interface FrameCase {
  readonly name: string;
  readonly description: string;
  readonly maxFrameBytes: number;
  readonly inputHex: string;
  readonly expect: {
    readonly frames: FrameSpec[];
    /** The violation that stops the decoder, after `frames`; absent when the input is valid. */
    readonly close?: CloseSpec;
    /** True when the input ends inside a frame (no violation, more bytes needed). */
    readonly incomplete: boolean;
  };
}

/** How the test server is configured; absent fields take the defaults given in README.md. */
export interface ServerConfig {
  readonly compression?: boolean;
  readonly xorKeyHex?: string;
  readonly maxFrameBytes?: number;
  readonly maxRequestBytes?: number;
  readonly handshakeTimeoutMs?: number;
}

export interface PrefaceFields {
  readonly version: number;
  readonly features: number;
  readonly keyCheck: number;
}

export interface HandshakeCase {
  readonly name: string;
  readonly description: string;
  readonly server: ServerConfig;
  readonly clientSendsHex: string;
  readonly expect: { readonly accepted: PrefaceFields } | { readonly refused: CloseSpec };
}

/** A STATUS payload, decoded. */
export interface StatusSpec {
  readonly code: number;
  readonly name: string;
  readonly textContains?: string;
  /** The response message carried in the STATUS frame (HAS_MESSAGE); absent: no check. "" means empty message. */
  readonly messageHex?: string;
  /** Only the start of the response message is fixed (the rest depends on the connection, e.g. a peer address). */
  readonly messagePrefixHex?: string;
  /** True when the STATUS frame must carry no response message. */
  readonly noMessage?: boolean;
}

export interface ExpectedFrame {
  readonly kind: number;
  readonly kindName: string;
  readonly streamId: number;
  /** Flags as on the wire; absent: no check. */
  readonly flags?: number;
  /** The payload after removing obfuscation; absent: no check. */
  readonly payloadHex?: string;
  /** For STATUS frames: the decoded payload. */
  readonly status?: StatusSpec;
  /** This many consecutive frames on the stream match this entry. Default 1. */
  readonly repeat?: number;
}

export type Step =
  { readonly send: string; readonly note: string } | { readonly expect: ExpectedFrame[] } | { readonly expectClose: CloseSpec } | { readonly halfClose: true } | { readonly expectEof: true };

export interface CallCase {
  readonly name: string;
  readonly description: string;
  readonly server: ServerConfig;
  readonly clientPrefaceHex: string;
  /** The XOR key both sides use; the runner removes it from received payloads before comparing them. */
  readonly xorKeyHex?: string;
  readonly steps: Step[];
}

export interface FrameVectorFile extends VectorFileHeader {
  readonly kind: 'frames';
  readonly cases: FrameCase[];
}
export interface HandshakeVectorFile extends VectorFileHeader {
  readonly kind: 'handshake';
  readonly cases: HandshakeCase[];
}
export interface CallVectorFile extends VectorFileHeader {
  readonly kind: 'calls';
  readonly cases: CallCase[];
}
export type VectorFile = FrameVectorFile | HandshakeVectorFile | CallVectorFile;
