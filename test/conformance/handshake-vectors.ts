// The handshake vectors (vectors/handshake.json): what a client sends first, accepted or refused.
import { encodePreface } from '../../src/transport';
import { localPreface } from '../../src/transport/tcp/handshake';
import { resolveTransportOptions } from '../../src/transport/transport-options';
import { CloseCode, PROTOCOL_VERSION, Role } from '../../src/codec/wire';
import { KEY, close, hex, prefaceFor } from './vector-bytes';
import type { CloseSpec, HandshakeCase, ServerConfig } from './vector-format';

/** The cases of handshake.json: prefaces the server accepts, and each refusal of section 3. */
export function handshakeCases(): HandshakeCase[] {
  const cases: HandshakeCase[] = [];
  const accepted = (name: string, description: string, server: ServerConfig, client: Buffer): void => {
    const preface = localPreface(resolveTransportOptions({ compression: server.compression ?? true, xorKey: server.xorKeyHex ? Buffer.from(server.xorKeyHex, 'hex') : undefined }), Role.SERVER);
    cases.push({ name, description, server, clientSendsHex: hex(client), expect: { accepted: { version: preface.version, features: preface.features, keyCheck: preface.keyCheck } } });
  };
  const refused = (name: string, description: string, server: ServerConfig, client: Buffer, failure: CloseSpec): void => {
    cases.push({ name, description, server, clientSendsHex: hex(client), expect: { refused: failure } });
  };
  const keyed: ServerConfig = { xorKeyHex: hex(KEY) };
  const plain = prefaceFor({ compression: false });
  const client = { features: 0, role: Role.CLIENT, keyCheck: 0, connectionWindow: 1 << 20, streamWindow: 1 << 16 };
  const withVersion = (version: number): Buffer => Buffer.from(encodePreface({ ...client, version }));

  accepted('client without features', 'The server answers with its own preface (COMPRESSION set by default).', {}, plain);
  accepted('client with compression', 'Feature bits other than OBFUSCATION are not compared.', {}, prefaceFor({ compression: true }));
  accepted('server without compression', 'The server advertises no features.', { compression: false }, prefaceFor({ compression: true }));
  accepted('undefined feature bits', 'Undefined feature bits are ignored by the receiver.', {}, Buffer.from(encodePreface({ ...client, version: PROTOCOL_VERSION, features: 0xfc })));
  accepted(
    'key check ignored without obfuscation',
    'Without OBFUSCATION the key check is not looked at.',
    {},
    Buffer.from(encodePreface({ ...client, version: PROTOCOL_VERSION, keyCheck: 0xdead_beef })),
  );
  accepted('same XOR key', 'Both obfuscate with "k3y" (key check a49b1287).', keyed, prefaceFor({ compression: false, xorKey: KEY }));
  refused('different XOR key', 'Both obfuscate, with different keys.', keyed, prefaceFor({ xorKey: Buffer.from('other') }), close(CloseCode.HANDSHAKE_FAILED, 'obfuscation key mismatch'));
  refused(
    'client obfuscates, server does not',
    'Obfuscation must be used by both or neither.',
    {},
    prefaceFor({ xorKey: KEY }),
    close(CloseCode.HANDSHAKE_FAILED, 'obfuscation mismatch: the client uses an XOR key and the server does not'),
  );
  refused(
    'server obfuscates, client does not',
    'Obfuscation must be used by both or neither.',
    keyed,
    plain,
    close(CloseCode.HANDSHAKE_FAILED, 'obfuscation mismatch: the server uses an XOR key and the client does not'),
  );
  refused(
    'HTTP request',
    'Not a framerpc peer.',
    {},
    Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
    close(CloseCode.HANDSHAKE_FAILED, 'not a framerpc peer: expected preface magic "FRPC", got "GET '),
  );
  refused(
    'wrong first byte',
    'Refused as soon as a byte differs from the magic, without waiting for the whole preface.',
    {},
    Buffer.from('X'),
    close(CloseCode.HANDSHAKE_FAILED, 'not a framerpc peer'),
  );
  refused('wrong third byte', 'Refused as soon as a byte differs from the magic.', {}, Buffer.from('FRX'), close(CloseCode.HANDSHAKE_FAILED, 'not a framerpc peer'));
  refused(
    'next protocol version',
    'A version this server does not speak.',
    {},
    withVersion(PROTOCOL_VERSION + 1),
    close(CloseCode.HANDSHAKE_FAILED, `unsupported protocol version ${PROTOCOL_VERSION + 1}`),
  );
  refused('version 0', 'There is no version 0.', {}, withVersion(0), close(CloseCode.HANDSHAKE_FAILED, 'unsupported protocol version 0'));
  const reserved = Buffer.from(plain);
  reserved[7] = 1;
  refused('reserved byte not zero', 'The reserved byte 7 must be 0.', {}, reserved, close(CloseCode.HANDSHAKE_FAILED, 'reserved byte must be zero'));
  refused(
    "a server's role",
    'A preface with role 2 (server) sent to a server: an echo of a server, or a second server.',
    {},
    Buffer.from(encodePreface({ ...client, version: PROTOCOL_VERSION, role: Role.SERVER })),
    close(CloseCode.HANDSHAKE_FAILED, "expected a client's preface, got a server's"),
  );
  refused(
    'an unknown role',
    'Role must be 1 or 2.',
    {},
    Buffer.from(encodePreface({ ...client, version: PROTOCOL_VERSION, role: 3 as Role })),
    close(CloseCode.HANDSHAKE_FAILED, 'preface role must be 1 (client) or 2 (server), got 3'),
  );
  refused(
    'a zero window',
    'Both windows must be at least 1.',
    {},
    Buffer.from(encodePreface({ ...client, version: PROTOCOL_VERSION, connectionWindow: 0 })),
    close(CloseCode.HANDSHAKE_FAILED, 'preface windows must be positive'),
  );
  refused(
    'preface cut short',
    'A correct start of the preface that never completes: refused when handshakeTimeoutMs passes.',
    { handshakeTimeoutMs: 150 },
    plain.subarray(0, 5),
    close(CloseCode.TIMEOUT, 'no preface within handshakeTimeoutMs'),
  );
  return cases;
}
