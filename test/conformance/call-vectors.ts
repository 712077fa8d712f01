// The call vectors (vectors/calls.json): frames a client sends the EchoService test server after the
// handshake, and the frames (or the close) it must answer with.
import { EchoReply, EchoRequest, EchoStreamRequest, WhoAmIRequest } from '../../generated/echo/echo';
import { encodeCallHeader } from '../../src/rpc/call-header';
import { encodeCallStatus } from '../../src/rpc/call-status';
import { Metadata } from '../../src/rpc/metadata';
import { Status, statusName } from '../../src/rpc/status';
import { encodeFrame, encodeGoaway, type PayloadEncoding } from '../../src/transport';
import { CloseCode, FrameFlag, FrameKind } from '../../src/codec/wire';
import { DEFAULT_MAX_FRAME_BYTES, KEY, OBFUSCATED, PLAIN, UNKNOWN_FLAG, ZLIB_100_ZEROS, close, hex, prefaceFor, rawFrame, zlibStored } from './vector-bytes';
import type { CallCase, CloseSpec, ExpectedFrame, ServerConfig, StatusSpec, Step } from './vector-format';

const ECHO = '/echo.v1.EchoService/Echo';
const ECHO_STREAM = '/echo.v1.EchoService/EchoStream';
const WHO_AM_I = '/echo.v1.EchoService/WhoAmI';

const end: number = FrameFlag.END_STREAM;
const echoRequest = (text: string): Buffer => Buffer.from(EchoRequest.encode({ text }).finish());
const echoReply = (text: string, servedBy: number): Buffer => Buffer.from(EchoReply.encode({ text, servedBy }).finish());
const method = (path: string): Buffer => Buffer.from(path, 'latin1');

/** A CALL frame: END_STREAM when it carries the request (unary and server-streaming calls). */
function callFrame(id: number, path: string, message: Uint8Array | undefined, options: { metadata?: Metadata; timeoutMs?: number; flags?: number; encoding?: PayloadEncoding } = {}): Buffer {
  const payload = encodeCallHeader(method(path), options.timeoutMs ?? 0, options.metadata, message);
  return encodeFrame(FrameKind.CALL, options.flags ?? (message ? end : 0), id, payload, options.encoding ?? PLAIN);
}

function status(id: number, code: Status, extra: Partial<StatusSpec> = {}, flags = end): ExpectedFrame {
  return { kind: FrameKind.STATUS, kindName: 'STATUS', streamId: id, flags, status: { code, name: statusName(code), ...extra } };
}
function okReply(id: number, reply: Buffer, flags = end): ExpectedFrame {
  return status(id, Status.OK, { messageHex: hex(reply) }, flags);
}
function message(id: number, payload?: Buffer, repeat?: number): ExpectedFrame {
  return { kind: FrameKind.MESSAGE, kindName: 'MESSAGE', streamId: id, flags: 0, ...(payload ? { payloadHex: hex(payload) } : {}), ...(repeat ? { repeat } : {}) };
}
const PING_BYTES = Buffer.from('0123456789abcdef', 'hex');
const pingFrame = rawFrame(FrameKind.PING, 0, 0, PING_BYTES);
const pong: ExpectedFrame = { kind: FrameKind.PONG, kindName: 'PONG', streamId: 0, flags: 0, payloadHex: hex(PING_BYTES) };
function windowFrame(id: number, credit: number): Buffer {
  const payload = Buffer.alloc(4);
  payload.writeUInt32BE(credit, 0);
  return rawFrame(FrameKind.WINDOW, 0, id, payload);
}
const send = (note: string, ...frames: Buffer[]): Step => ({ send: hex(Buffer.concat(frames)), note });
/** A PING answered by a PONG, and nothing else before it: proves the connection is open and the server sent nothing more. */
const stillOpen: Step[] = [send('PING, to show the connection still works and nothing else was sent', pingFrame), { expect: [pong] }];

/** The cases of calls.json: good calls, bad calls (a STATUS, the connection carries on), bad frames (a GOAWAY). */
export function callCases(): CallCase[] {
  const cases: CallCase[] = [];
  const clientPreface = hex(prefaceFor({ compression: false }));
  const add = (name: string, description: string, steps: Step[], server: ServerConfig = {}, extra: Partial<CallCase> = {}): void => {
    cases.push({ name, description, server, clientPrefaceHex: clientPreface, steps, ...extra });
  };
  const refusedWith = (name: string, description: string, frame: Buffer, failure: CloseSpec, server: ServerConfig = {}): void => {
    add(name, description, [send(description, frame), { expectClose: failure }], server);
  };

  // Good calls.
  add('unary echo', 'docs/protocol.md section 13.12: one CALL, one STATUS carrying the reply.', [
    send('Echo "hi" on call 1', callFrame(1, ECHO, echoRequest('hi'))),
    { expect: [okReply(1, echoReply('hi', 1))] },
  ]);
  add('unary echo, empty request', 'An empty protobuf message is a valid request (HAS_MESSAGE with zero bytes).', [
    send('Echo {} on call 1', callFrame(1, ECHO, Buffer.alloc(0))),
    { expect: [okReply(1, echoReply('', 1))] },
  ]);
  add('two calls in one write', 'Each call gets its own STATUS; the server numbers replies in the order it reads the calls.', [
    send('Echo "a" on call 1 and Echo "b" on call 3, in one write', callFrame(1, ECHO, echoRequest('a')), callFrame(3, ECHO, echoRequest('b'))),
    { expect: [okReply(1, echoReply('a', 1)), okReply(3, echoReply('b', 2))] },
  ]);
  add('call ids increase', 'A call id must be above every earlier one on the connection, even after its call ended (section 13.3).', [
    send('Echo "x" on call 5', callFrame(5, ECHO, echoRequest('x'))),
    { expect: [okReply(5, echoReply('x', 1))] },
    send('Echo "y" on call 5 again', callFrame(5, ECHO, echoRequest('y'))),
    { expectClose: close(CloseCode.PROTOCOL_ERROR, 'call id 5 is not above the previous call id 5') },
  ]);
  add('call id 0', 'Call ids are 1 to 2^32-1.', [send('Echo on call 0', callFrame(0, ECHO, echoRequest('zero'))), { expectClose: close(CloseCode.PROTOCOL_ERROR, 'CALL on stream 0') }]);
  add('largest call id', 'Call ids are full u32.', [send('Echo on call 0xffffffff', callFrame(0xffff_ffff, ECHO, echoRequest('max'))), { expect: [okReply(0xffff_ffff, echoReply('max', 1))] }]);
  add('with deadline and metadata', 'A timeout and metadata the handler ignores do not change the reply.', [
    send('Echo with timeout 5000 ms and metadata x-trace=1', callFrame(1, ECHO, echoRequest('md'), { timeoutMs: 5000, metadata: new Metadata({ 'x-trace': '1', 'blob-bin': Buffer.from([0, 255]) }) })),
    { expect: [okReply(1, echoReply('md', 1))] },
  ]);
  add('metadata reaches the handler', 'WhoAmI answers with the "user" metadata and the peer address (which varies, so only the start of the reply is fixed).', [
    send('WhoAmI with user=ada', callFrame(1, WHO_AM_I, Buffer.from(WhoAmIRequest.encode({}).finish()), { metadata: new Metadata({ user: 'ada' }) })),
    { expect: [status(1, Status.OK, { messagePrefixHex: '0a03616461' + '12' })] },
  ]);
  add('server streaming', 'EchoStream sends count MESSAGE frames, then a STATUS without a message.', [
    send('EchoStream "tick" x3 on call 1', callFrame(1, ECHO_STREAM, Buffer.from(EchoStreamRequest.encode({ text: 'tick', count: 3 }).finish()))),
    { expect: [message(1, echoReply('tick #1', 1)), message(1, echoReply('tick #2', 2)), message(1, echoReply('tick #3', 3)), status(1, Status.OK, { noMessage: true })] },
  ]);
  add('server streaming, no items', 'A stream of zero messages is just the STATUS.', [
    send('EchoStream x0', callFrame(1, ECHO_STREAM, Buffer.from(EchoStreamRequest.encode({ text: 'none', count: 0 }).finish()))),
    { expect: [status(1, Status.OK, { noMessage: true })] },
  ]);
  // Stream windows count bytes (section 9): with a client stream window of 100 bytes the server starts
  // messages while its credit is positive, each taking its whole size.
  const smallWindow: Partial<CallCase> = { clientPrefaceHex: hex(prefaceFor({ compression: false, streamWindowBytes: 100 })) };
  const startedWithin = (credit: number, text: string, count: number): number => {
    let started = 0;
    for (let n = 1; n <= count && credit > 0; n++, started++) credit -= echoReply(`${text} #${n}`, n).length;
    return started;
  };
  const first = startedWithin(100, 'w', 90);
  add(
    'flow control: the stream waits for credit',
    `Protocol version 2: a client stream window of 100 bytes lets ${first} EchoStream replies start; a WINDOW frame grants more bytes (section 9).`,
    [
      send('EchoStream x90 on call 1', callFrame(1, ECHO_STREAM, Buffer.from(EchoStreamRequest.encode({ text: 'w', count: 90 }).finish()))),
      { expect: [message(1, undefined, first)] },
      ...stillOpen,
      // More credit than the stream needs: when the credit ends exactly with the stream, whether the STATUS
      // waits for a further grant is the server's choice (framerpc's does), so the vector does not pin it.
      send('WINDOW +100000 on call 1', windowFrame(1, 100_000)),
      { expect: [message(1, undefined, 90 - first), status(1, Status.OK, { noMessage: true })] },
    ],
    {},
    smallWindow,
  );
  const cancelled = startedWithin(100, 'c', 1000);
  add(
    'CANCEL ends a call silently',
    'After CANCEL the server sends nothing more for the call (section 13.8).',
    [
      send('EchoStream x1000 on call 1', callFrame(1, ECHO_STREAM, Buffer.from(EchoStreamRequest.encode({ text: 'c', count: 1000 }).finish()))),
      { expect: [message(1, undefined, cancelled)] },
      send('CANCEL call 1, then WINDOW +1000 on it (ignored: the call is over)', rawFrame(FrameKind.CANCEL, 0, 1), windowFrame(1, 1000)),
      ...stillOpen,
    ],
    {},
    smallWindow,
  );
  add('compressed CALL', 'The server advertised COMPRESSION, so the client may send a zlib payload with COMPRESSED.', [
    send('Echo "zipped" on call 1, payload as a zlib stream', rawFrame(FrameKind.CALL, end | FrameFlag.COMPRESSED, 1, zlibStored(encodeCallHeader(method(ECHO), 0, undefined, echoRequest('zipped'))))),
    { expect: [okReply(1, echoReply('zipped', 1))] },
  ]);
  const keyed: Partial<CallCase> = { clientPrefaceHex: hex(prefaceFor({ compression: false, xorKey: KEY })), xorKeyHex: hex(KEY) };
  add(
    'obfuscated call',
    'With the key "k3y" on both sides every frame carries OBFUSCATED, replies included.',
    [
      send('Echo "secret" on call 1, obfuscated', callFrame(1, ECHO, echoRequest('secret'), { encoding: OBFUSCATED })),
      { expect: [okReply(1, echoReply('secret', 1), end | FrameFlag.OBFUSCATED)] },
      send('PING, obfuscated', encodeFrame(FrameKind.PING, 0, 0, PING_BYTES, OBFUSCATED)),
      { expect: [{ ...pong, flags: FrameFlag.OBFUSCATED }] },
    ],
    { xorKeyHex: hex(KEY), compression: false },
    keyed,
  );
  add('PING is answered', 'A PONG with the same 8 bytes on stream 0 (section 5.1).', stillOpen);
  add('frames for calls not in flight are ignored', 'MESSAGE, HALF_CLOSE, CANCEL and WINDOW for an unknown id, DATA and an unsolicited PONG: no reply, no close.', [
    send(
      'MESSAGE, HALF_CLOSE, CANCEL, WINDOW on call 9; DATA; PONG',
      rawFrame(FrameKind.MESSAGE, end, 9, echoRequest('?')),
      rawFrame(FrameKind.HALF_CLOSE, 0, 9),
      rawFrame(FrameKind.CANCEL, 0, 9),
      windowFrame(9, 5),
      rawFrame(FrameKind.DATA, 0, 2, Buffer.from('raw')),
      rawFrame(FrameKind.PONG, 0, 0, PING_BYTES),
    ),
    ...stillOpen,
  ]);
  add('client closes', 'The client sends GOAWAY NORMAL and FIN; the server closes its side without sending anything (section 7).', [
    send('GOAWAY NORMAL "bye"', rawFrame(FrameKind.GOAWAY, 0, 0, encodeGoaway(CloseCode.NORMAL, 'bye'))),
    { halfClose: true },
    { expectEof: true },
  ]);

  // Bad calls: a STATUS on that call, the connection carries on.
  const badCall = (name: string, description: string, frame: Buffer, code: Status, textContains: string, server: ServerConfig = {}): void => {
    add(name, description, [send(description, frame), { expect: [status(1, code, { textContains, noMessage: true })] }, ...stillOpen], server);
  };
  badCall(
    'unknown method',
    'A method path no service registered.',
    callFrame(1, '/echo.v1.EchoService/Shout', echoRequest('hi')),
    Status.UNIMPLEMENTED,
    'no service on this server has a method /echo.v1.EchoService/Shout',
  );
  badCall('unknown service', 'A service the server does not have.', callFrame(1, '/nope.v1.Nope/Echo', echoRequest('hi')), Status.UNIMPLEMENTED, 'no service on this server has a method');
  badCall('empty method path', 'A method path of length 0.', callFrame(1, '', echoRequest('hi')), Status.UNIMPLEMENTED, 'no service on this server has a method');
  badCall('malformed protobuf', 'Field 1 claims 5 bytes, 1 follows.', callFrame(1, ECHO, Buffer.from([0x0a, 0x05, 0x68])), Status.INVALID_ARGUMENT, 'is not valid protobuf');
  badCall(
    'unary CALL ending without its request',
    'HAS_MESSAGE clear and END_STREAM set on a unary call.',
    callFrame(1, ECHO, undefined, { flags: end }),
    Status.INVALID_ARGUMENT,
    'needs one request message, and the CALL ended the stream without it',
  );
  badCall(
    'CALL payload under 6 bytes',
    'Shorter than the fixed part of the CALL header.',
    rawFrame(FrameKind.CALL, end, 1, Buffer.from([0, 0, 0])),
    Status.INVALID_ARGUMENT,
    'shorter than its 6-byte header',
  );
  badCall('empty CALL payload', 'No CALL header at all.', rawFrame(FrameKind.CALL, end, 1), Status.INVALID_ARGUMENT, 'shorter than its 6-byte header');
  const cut = encodeCallHeader(method(ECHO), 0, undefined, undefined).subarray(0, 6 + 10);
  badCall('method name cut off', 'The method length byte says 25, 10 bytes follow.', rawFrame(FrameKind.CALL, end, 1, cut), Status.INVALID_ARGUMENT, 'CALL method name is cut off');
  const noMetadata = encodeCallHeader(method(ECHO), 0, undefined, undefined);
  badCall(
    'metadata count missing',
    'The CALL ends right after the method path.',
    rawFrame(FrameKind.CALL, end, 1, noMetadata.subarray(0, noMetadata.length - 2)),
    Status.INVALID_ARGUMENT,
    'CALL metadata is cut off',
  );
  const header = encodeCallHeader(method(ECHO), 0, new Metadata({ user: 'ada' }), undefined);
  badCall(
    'metadata value cut off',
    'The metadata block claims more bytes than the payload has.',
    rawFrame(FrameKind.CALL, end, 1, header.subarray(0, header.length - 1)),
    Status.INVALID_ARGUMENT,
    'malformed metadata',
  );
  const badKey = Buffer.concat([
    encodeCallHeader(method(ECHO), 0, undefined, undefined).subarray(0, 6 + ECHO.length),
    Buffer.from([0, 1, 3]),
    Buffer.from('a b'),
    Buffer.from([0, 1]),
    Buffer.from('v'),
  ]);
  badCall('metadata key not allowed', 'A key with a space (keys are [0-9a-z_.-]).', rawFrame(FrameKind.CALL, end, 1, badKey), Status.INVALID_ARGUMENT, 'malformed metadata: metadata key "a b"');
  badCall(
    'handler error',
    'EchoStream refuses counts over 1000 with its own status.',
    callFrame(1, ECHO_STREAM, Buffer.from(EchoStreamRequest.encode({ text: 'x', count: 1001 }).finish())),
    Status.INVALID_ARGUMENT,
    'count must be at most 1000',
  );
  badCall('handler error from metadata', 'WhoAmI without a "user" metadata.', callFrame(1, WHO_AM_I, Buffer.alloc(0)), Status.UNAUTHENTICATED, 'send your name in the "user" metadata');
  badCall(
    'request over maxRequestBytes',
    'The server is configured with maxRequestBytes 8.',
    callFrame(1, ECHO, echoRequest('more than eight')),
    Status.RESOURCE_EXHAUSTED,
    'exceeds maxRequestBytes (8)',
    { maxRequestBytes: 8 },
  );
  add(
    'CALL on an id in flight',
    'A second CALL on the id of a call in flight is a protocol error (ids increase).',
    [
      send('EchoStream x1000 on call 1', callFrame(1, ECHO_STREAM, Buffer.from(EchoStreamRequest.encode({ text: 'r', count: 1000 }).finish()))),
      { expect: [message(1, undefined, startedWithin(100, 'r', 1000))] },
      send('Echo on call 1 while it is in flight', callFrame(1, ECHO, echoRequest('again'))),
      { expectClose: close(CloseCode.PROTOCOL_ERROR, 'call id 1 is not above the previous call id 1') },
    ],
    {},
    smallWindow,
  );

  // Bad frames: the connection closes with a GOAWAY.
  refusedWith('unknown frame kind', 'Kind 0x05 after the handshake.', rawFrame(0x05, 0, 1, Buffer.from('x')), close(CloseCode.PROTOCOL_ERROR, 'unknown frame kind 0x05'));
  refusedWith(
    'unknown flag',
    `Flag 0b${UNKNOWN_FLAG.toString(2).padStart(8, '0')} on a CALL.`,
    rawFrame(FrameKind.CALL, UNKNOWN_FLAG, 1, encodeCallHeader(method(ECHO), 0, undefined, echoRequest('hi'))),
    close(CloseCode.PROTOCOL_ERROR, 'unknown flag bits'),
  );
  refusedWith(
    'frame over maxFrameBytes',
    'A header claiming 4 MiB + 1 bytes; the payload never comes.',
    rawFrame(FrameKind.CALL, 0, 1, Buffer.alloc(0), DEFAULT_MAX_FRAME_BYTES + 1),
    close(CloseCode.FRAME_TOO_LARGE, `exceeds maxFrameBytes (${DEFAULT_MAX_FRAME_BYTES})`),
  );
  refusedWith(
    'frame over a small maxFrameBytes',
    'The server is configured with maxFrameBytes 64.',
    callFrame(1, ECHO, echoRequest('x'.repeat(64))),
    close(CloseCode.FRAME_TOO_LARGE, 'exceeds maxFrameBytes (64)'),
    { maxFrameBytes: 64 },
  );
  refusedWith(
    'MORE on a WINDOW',
    'Only MESSAGE frames are fragmented; MORE elsewhere is a protocol error, on stream 0 too.',
    rawFrame(FrameKind.WINDOW, FrameFlag.MORE, 0, Buffer.from([0, 0, 0, 1])),
    close(CloseCode.PROTOCOL_ERROR, 'MORE flag on frame kind 0x15'),
  );
  refusedWith(
    'WINDOW of 3 bytes for no call',
    'WINDOW payloads are exactly 4 bytes, whatever the stream id.',
    rawFrame(FrameKind.WINDOW, 0, 77, Buffer.from([0, 0, 1])),
    close(CloseCode.PROTOCOL_ERROR, 'WINDOW payload must be 4 bytes, got 3'),
  );
  refusedWith(
    'connection credit past 2^31-1',
    'A WINDOW on stream 0 that takes the credit past 2^31-1.',
    rawFrame(FrameKind.WINDOW, 0, 0, Buffer.from([0xff, 0xff, 0xff, 0xff])),
    close(CloseCode.FLOW_CONTROL_ERROR, 'connection window grant overflows'),
  );
  refusedWith(
    'PING of 7 bytes',
    'PING payloads are exactly 8 bytes.',
    rawFrame(FrameKind.PING, 0, 0, PING_BYTES.subarray(0, 7)),
    close(CloseCode.PROTOCOL_ERROR, 'PING payload must be 8 bytes, got 7'),
  );
  refusedWith(
    'PONG of 9 bytes',
    'PONG payloads are exactly 8 bytes.',
    rawFrame(FrameKind.PONG, 0, 0, Buffer.concat([PING_BYTES, Buffer.from([0])])),
    close(CloseCode.PROTOCOL_ERROR, 'PONG payload must be 8 bytes, got 9'),
  );
  refusedWith('PING on stream 3', 'Control frames belong to stream 0.', rawFrame(FrameKind.PING, 0, 3, PING_BYTES), close(CloseCode.PROTOCOL_ERROR, 'control frame kind 0x01 on stream 3'));
  refusedWith('GOAWAY of 1 byte', 'Shorter than its 6-byte code and last call id.', rawFrame(FrameKind.GOAWAY, 0, 0, Buffer.from([0])), close(CloseCode.PROTOCOL_ERROR, 'GOAWAY payload of 1 bytes'));
  refusedWith(
    'WINDOW of 3 bytes',
    'WINDOW payloads are exactly 4 bytes.',
    rawFrame(FrameKind.WINDOW, 0, 1, Buffer.from([0, 0, 1])),
    close(CloseCode.PROTOCOL_ERROR, 'WINDOW payload must be 4 bytes, got 3'),
  );
  refusedWith(
    'HEADERS from a client',
    'Clients never send HEADERS.',
    rawFrame(FrameKind.HEADERS, 0, 1, Buffer.from([0, 0])),
    close(CloseCode.PROTOCOL_ERROR, 'frame kind 0x12 is not sent by clients'),
  );
  refusedWith(
    'STATUS from a client',
    'Clients never send STATUS.',
    rawFrame(FrameKind.STATUS, end, 1, encodeCallStatus(Status.OK, '', '', undefined, undefined)),
    close(CloseCode.PROTOCOL_ERROR, 'frame kind 0x13 is not sent by clients'),
  );
  refusedWith('PUSH from a client', 'Only servers push.', rawFrame(FrameKind.PUSH, 0, 0, Buffer.from([1, 0x2f])), close(CloseCode.PROTOCOL_ERROR, 'frame kind 0x20 is not sent by clients'));
  refusedWith(
    'OBFUSCATED without obfuscation',
    'The flag must match the negotiation.',
    rawFrame(FrameKind.CALL, end | FrameFlag.OBFUSCATED, 1, encodeCallHeader(method(ECHO), 0, undefined, echoRequest('hi'))),
    close(CloseCode.PROTOCOL_ERROR, 'obfuscated frame on a connection without obfuscation'),
  );
  add(
    'plain frame on an obfuscated connection',
    'With obfuscation negotiated every frame must carry OBFUSCATED.',
    [send('a plain PING', pingFrame), { expectClose: close(CloseCode.PROTOCOL_ERROR, 'plain frame on an obfuscated connection') }],
    { xorKeyHex: hex(KEY), compression: false },
    keyed,
  );
  refusedWith(
    'COMPRESSED that does not inflate',
    'The payload is not a zlib stream.',
    rawFrame(FrameKind.CALL, end | FrameFlag.COMPRESSED, 1, Buffer.from('not zlib')),
    close(CloseCode.COMPRESSION_ERROR, 'does not inflate'),
  );
  refusedWith(
    'COMPRESSED inflating past maxFrameBytes',
    'The server is configured with maxFrameBytes 64; 12 bytes on the wire inflate to 100.',
    rawFrame(FrameKind.DATA, FrameFlag.COMPRESSED, 1, ZLIB_100_ZEROS),
    close(CloseCode.COMPRESSION_ERROR, 'inflates past maxFrameBytes (64)'),
    { maxFrameBytes: 64 },
  );
  refusedWith(
    'COMPRESSED without advertising it',
    'The server is configured without compression.',
    rawFrame(FrameKind.CALL, end | FrameFlag.COMPRESSED, 1, zlibStored(encodeCallHeader(method(ECHO), 0, undefined, echoRequest('z')))),
    close(CloseCode.PROTOCOL_ERROR, 'compressed frame, but this side did not accept compression'),
    { compression: false },
  );
  return cases;
}
