// Every local error code framerpc raises, in one place: a stable string to branch on, when it happens, what to do.
// docs/errors.md lists the same codes (test/errors/catalogue.test.ts fails when the two differ).
// Errors that cross the wire are RpcErrors with a status code (docs/protocol.md); they are not listed here.

/** The stable `code` of every local framerpc error. Branch on these, never on messages. */
export const ErrorCode = {
  // Options and arguments (FramerpcOptionError, FramerpcArgumentError: both TypeErrors).
  INVALID_OPTION: 'ERR_INVALID_OPTION',
  INVALID_ARGUMENT: 'ERR_INVALID_ARGUMENT',
  INVALID_TARGET: 'ERR_INVALID_TARGET',
  METADATA_KEY: 'ERR_METADATA_KEY',
  METADATA_VALUE: 'ERR_METADATA_VALUE',
  METADATA_READ_ONLY: 'ERR_METADATA_READ_ONLY',
  METHOD_PATH_TOO_LONG: 'ERR_METHOD_PATH_TOO_LONG',

  // Misuse found at run time (FramerpcError).
  SERVICE_ALREADY_ADDED: 'ERR_SERVICE_ALREADY_ADDED',
  SERVICE_INCOMPLETE: 'ERR_SERVICE_INCOMPLETE',
  HANDLER_NOT_DECORATED: 'ERR_HANDLER_NOT_DECORATED',
  HANDLER_NOT_CONSTRUCTIBLE: 'ERR_HANDLER_NOT_CONSTRUCTIBLE',
  DEFINITION_MISMATCH: 'ERR_DEFINITION_MISMATCH',
  HEADERS_ALREADY_SENT: 'ERR_HEADERS_ALREADY_SENT',
  STREAM_ALREADY_ITERATED: 'ERR_STREAM_ALREADY_ITERATED',
  MISSING_PEER_DEPENDENCY: 'ERR_MISSING_PEER_DEPENDENCY',

  // The connection (FrameError): one per close code; the numeric close code is FrameError.closeCode.
  CONNECTION_CLOSED: 'ERR_CONNECTION_CLOSED',
  CONNECTION_PROTOCOL_ERROR: 'ERR_CONNECTION_PROTOCOL_ERROR',
  CONNECTION_FRAME_TOO_LARGE: 'ERR_CONNECTION_FRAME_TOO_LARGE',
  CONNECTION_COMPRESSION_ERROR: 'ERR_CONNECTION_COMPRESSION_ERROR',
  CONNECTION_HANDSHAKE_FAILED: 'ERR_CONNECTION_HANDSHAKE_FAILED',
  CONNECTION_TIMEOUT: 'ERR_CONNECTION_TIMEOUT',
  CONNECTION_OUTBOUND_OVERFLOW: 'ERR_CONNECTION_OUTBOUND_OVERFLOW',
  CONNECTION_SERVER_FULL: 'ERR_CONNECTION_SERVER_FULL',
  CONNECTION_SHUTTING_DOWN: 'ERR_CONNECTION_SHUTTING_DOWN',
  CONNECTION_INTERNAL_ERROR: 'ERR_CONNECTION_INTERNAL_ERROR',
  CONNECTION_LOST: 'ERR_CONNECTION_LOST',
  CONNECTION_TOO_MANY_PINGS: 'ERR_CONNECTION_TOO_MANY_PINGS',
  CONNECTION_RAPID_RESET: 'ERR_CONNECTION_RAPID_RESET',
  CONNECTION_FLOW_CONTROL_ERROR: 'ERR_CONNECTION_FLOW_CONTROL_ERROR',
  CONNECTION_UNKNOWN_CLOSE_CODE: 'ERR_CONNECTION_UNKNOWN_CLOSE_CODE',

  // Push (PushError).
  PUSH_BAD_OPTION: 'ERR_PUSH_BAD_OPTION',
  PUSH_BAD_EVENT_SERVICE: 'ERR_PUSH_BAD_EVENT_SERVICE',
  PUSH_BAD_ROOM: 'ERR_PUSH_BAD_ROOM',
  PUSH_RESERVED_EVENT_NAME: 'ERR_PUSH_RESERVED_EVENT_NAME',
  PUSH_CLOSED: 'ERR_PUSH_CLOSED',
  PUSH_BAD_CONNECTION_ID: 'ERR_PUSH_BAD_CONNECTION_ID',
  PUSH_NODE_ID_TAKEN: 'ERR_PUSH_NODE_ID_TAKEN',

  // .proto files loaded at run time (DynamicProtoError).
  PROTO_NOT_FOUND: 'ERR_PROTO_NOT_FOUND',
  PROTO_SYNTAX: 'ERR_PROTO_SYNTAX',
  PROTO_UNRESOLVED: 'ERR_PROTO_UNRESOLVED',
  PROTO_INVALID_MESSAGE: 'ERR_PROTO_INVALID_MESSAGE',

  // The framerpc command line (UsageError): printed without a stack, exit status 2.
  CLI_USAGE: 'ERR_CLI_USAGE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** What the catalogue says of one code. */
export interface ErrorEntry {
  /** The class that carries the code. */
  readonly className: string;
  /** When it happens. */
  readonly when: string;
  /** What to do instead. */
  readonly remedy: string;
}

const option = 'FramerpcOptionError';
const argument = 'FramerpcArgumentError';
const misuse = 'FramerpcError';
const frame = 'FrameError';
const push = 'PushError';
const proto = 'DynamicProtoError';

/** Every code with its class, when it happens and what to do. */
export const errorCatalogue: { readonly [code in ErrorCode]: ErrorEntry } = {
  ERR_INVALID_OPTION: {
    className: option,
    when: 'An option of the server, channel, transport, log rate limit, metrics or loadServiceDefinitions is of the wrong type or out of range; `option` names it.',
    remedy: 'Fix the option the message names (the doc comment of each option gives its range and default), or leave it out for the default.',
  },
  ERR_INVALID_ARGUMENT: {
    className: argument,
    when: 'A function was handed an argument of the wrong shape (e.g. trailers that are neither Metadata nor a plain object, an empty protoFiles list).',
    remedy: 'Pass the type the message names.',
  },
  ERR_INVALID_TARGET: { className: argument, when: 'createChannel was given a target that is not "host:port".', remedy: 'Pass "host:port", e.g. "127.0.0.1:50051".' },
  ERR_METADATA_KEY: {
    className: argument,
    when: 'A metadata key is empty, longer than 255 characters, or has characters other than 0-9 a-z _ . -.',
    remedy: 'Use lowercase ASCII keys of 1-255 characters of 0-9 a-z _ . - (keys are lowercased for you).',
  },
  ERR_METADATA_VALUE: {
    className: argument,
    when: 'A metadata value does not fit its key: a string for a key ending in -bin, or bytes for a text key.',
    remedy: 'Give keys ending in -bin Uint8Array values and every other key string values.',
  },
  ERR_METADATA_READ_ONLY: { className: argument, when: 'Received metadata (shared between calls) was changed.', remedy: 'Change a copy: metadata.clone().' },
  ERR_METHOD_PATH_TOO_LONG: {
    className: argument,
    when: 'A method path ("/package.Service/Method") is longer than the 255 bytes the CALL frame carries.',
    remedy: 'Shorten the package, service or method name.',
  },

  ERR_SERVICE_ALREADY_ADDED: {
    className: misuse,
    when: 'server.addService was called twice for the same service.',
    remedy: 'Register each service once; remove one of the two registrations the message names.',
  },
  ERR_SERVICE_INCOMPLETE: {
    className: misuse,
    when: 'An implementation passed to addService lacks methods of its service.',
    remedy: 'Add the methods the message lists, or register it as a partial service ({ partial: true }) so that the missing ones answer UNIMPLEMENTED.',
  },
  ERR_HANDLER_NOT_DECORATED: {
    className: misuse,
    when: 'A class was registered as a handler without @RpcService(Definition).',
    remedy: 'Decorate the class with @RpcService(Definition), or register a plain object with server.addService(definition, implementation).',
  },
  ERR_HANDLER_NOT_CONSTRUCTIBLE: {
    className: misuse,
    when: 'A decorated handler class takes constructor parameters whose types tsyringe cannot know (no decorator metadata).',
    remedy: 'Enable emitDecoratorMetadata and experimentalDecorators and compile with tsc, inject each parameter with @inject(token), or register the class with a factory.',
  },
  ERR_DEFINITION_MISMATCH: {
    className: misuse,
    when: 'createTestClient was given a handler class decorated for a different service than the definition passed.',
    remedy: 'Pass the definition the class is decorated with.',
  },
  ERR_HEADERS_ALREADY_SENT: {
    className: misuse,
    when: 'A handler called context.sendHeaders a second time, or after its first response.',
    remedy: 'Send response headers at most once, before the first response message; put later values in context.trailers.',
  },
  ERR_STREAM_ALREADY_ITERATED: {
    className: misuse,
    when: "A message stream (a request stream or a call's response stream) was iterated a second time.",
    remedy: 'Iterate each stream once; collect the messages into an array if you need them twice.',
  },
  ERR_MISSING_PEER_DEPENDENCY: {
    className: misuse,
    when: 'prometheusMetrics or clientTracing/serverTracing was used without its optional peer package installed.',
    remedy: 'npm install prom-client (metrics) or @opentelemetry/api (tracing).',
  },

  ERR_CONNECTION_CLOSED: {
    className: frame,
    when: 'The connection was closed normally (close code NORMAL), e.g. the client was closed while connecting.',
    remedy: 'Nothing is wrong; open a new connection if you still need one.',
  },
  ERR_CONNECTION_PROTOCOL_ERROR: {
    className: frame,
    when: 'A peer broke the wire protocol (close code PROTOCOL_ERROR): an unknown flag, a frame on the wrong stream, call ids out of order.',
    remedy: 'A bug in the peer: check that both sides are framerpc of the same protocol version; the message names the violation.',
  },
  ERR_CONNECTION_FRAME_TOO_LARGE: {
    className: frame,
    when: 'A frame is larger than maxFrameBytes (close code FRAME_TOO_LARGE).',
    remedy: 'Raise maxFrameBytes on the receiving side, or send smaller messages.',
  },
  ERR_CONNECTION_COMPRESSION_ERROR: {
    className: frame,
    when: 'A compressed payload did not inflate, or inflated past its limit (close code COMPRESSION_ERROR).',
    remedy: "Check the peer's compression; raise the receiver's message limit if the messages are legitimately large.",
  },
  ERR_CONNECTION_HANDSHAKE_FAILED: {
    className: frame,
    when: 'The preface exchange failed (close code HANDSHAKE_FAILED): not a framerpc peer, another protocol version, or an XOR key mismatch.',
    remedy: 'Point the client at a framerpc server and configure the same xorKey (or none) on both sides.',
  },
  ERR_CONNECTION_TIMEOUT: {
    className: frame,
    when: 'The handshake, a frame, a heartbeat or the idle timeout expired (close code TIMEOUT).',
    remedy: 'Check the network and the peer; raise handshakeTimeoutMs, frameTimeoutMs, heartbeatTimeoutMs or idleTimeoutMs if the peer is just slow.',
  },
  ERR_CONNECTION_OUTBOUND_OVERFLOW: {
    className: frame,
    when: 'The peer did not read fast enough and the outbound queue passed maxOutboundBytes (close code OUTBOUND_OVERFLOW).',
    remedy: 'Read faster on the peer, send less, or raise maxOutboundBytes.',
  },
  ERR_CONNECTION_SERVER_FULL: {
    className: frame,
    when: 'The server is at maxConnections and refused the connection (close code SERVER_FULL).',
    remedy: "Try again later (the channel backs off and retries), or raise the server's maxConnections.",
  },
  ERR_CONNECTION_SHUTTING_DOWN: {
    className: frame,
    when: 'The server is shutting down and refused or closed the connection (close code SHUTTING_DOWN).',
    remedy: 'Connect to another server, or retry once it is back.',
  },
  ERR_CONNECTION_INTERNAL_ERROR: {
    className: frame,
    when: 'The peer closed the connection after an internal error of its own (close code INTERNAL_ERROR).',
    remedy: "Read the peer's logs; the reason gives its side of the story.",
  },
  ERR_CONNECTION_LOST: {
    className: frame,
    when: 'The socket closed or failed before a GOAWAY (close code CONNECTION_LOST), e.g. during the handshake or on connect timeout.',
    remedy: 'Check that the server is running and reachable; the channel reconnects with backoff.',
  },
  ERR_CONNECTION_TOO_MANY_PINGS: {
    className: frame,
    when: 'The peer sent PINGs faster than maxPingsPerSecond (close code TOO_MANY_PINGS).',
    remedy: "Lower the peer's heartbeat rate, or raise maxPingsPerSecond / pingBurst on this side.",
  },
  ERR_CONNECTION_RAPID_RESET: {
    className: frame,
    when: 'The peer opened and cancelled calls faster than maxCancelsPerSecond (close code RAPID_RESET).',
    remedy: 'Cancel fewer calls on the client, or raise maxCancelsPerSecond / cancelBurst on the server.',
  },
  ERR_CONNECTION_FLOW_CONTROL_ERROR: {
    className: frame,
    when: 'The peer sent more bytes than the window it was granted (close code FLOW_CONTROL_ERROR).',
    remedy: "A bug in the peer's flow control; check both sides run the same protocol version.",
  },
  ERR_CONNECTION_UNKNOWN_CLOSE_CODE: {
    className: frame,
    when: 'The peer closed with a close code this version does not know.',
    remedy: 'Upgrade this side; the reason text says what the peer meant.',
  },

  ERR_PUSH_BAD_OPTION: {
    className: push,
    when: 'A push hub or subscribePush option is out of range; the message names it.',
    remedy: 'Fix the option (docs/push.md lists the options and their ranges).',
  },
  ERR_PUSH_BAD_EVENT_SERVICE: {
    className: push,
    when: 'An event service has a streaming method, or a method path that cannot be a topic (printable ASCII, at most 255 bytes).',
    remedy: 'Declare events as unary rpcs returning framerpc.push.v1.PushAck, with shorter names.',
  },
  ERR_PUSH_BAD_ROOM: { className: push, when: 'hub.join was given an empty room name or one longer than 255 UTF-8 bytes.', remedy: 'Use room names of 1-255 UTF-8 bytes.' },
  ERR_PUSH_RESERVED_EVENT_NAME: {
    className: push,
    when: 'An event key of the definition given to subscribePush is one the subscription uses itself (ready, close, closed).',
    remedy: 'Rename the rpc in the .proto.',
  },
  ERR_PUSH_CLOSED: { className: push, when: 'on() was called on a closed push subscription.', remedy: 'Call subscribePush again for a new subscription.' },
  ERR_PUSH_BAD_CONNECTION_ID: {
    className: push,
    when: 'A connection id given as a string to toConnection or except is not a global id ("nodeId:connectionId").',
    remedy: 'Pass CallContext.connectionId (a local number) or hub.globalId(connectionId).',
  },
  ERR_PUSH_NODE_ID_TAKEN: {
    className: push,
    when: 'Two hubs on one bus have the same nodeId, or one bus was given to a second hub.',
    remedy: 'Give each node its own nodeId (or leave it unset for a random one) and each hub its own bus.',
  },

  ERR_PROTO_NOT_FOUND: { className: proto, when: 'A .proto file, or one it imports, is in none of the include directories.', remedy: 'Add its directory to includeDirs, or fix the file name.' },
  ERR_PROTO_SYNTAX: { className: proto, when: 'A .proto file has a syntax error; `file` names it.', remedy: 'Fix the .proto at the line the message gives.' },
  ERR_PROTO_UNRESOLVED: {
    className: proto,
    when: 'A type a .proto names is defined in none of the loaded files.',
    remedy: 'Load the file that defines it (add it to protoFiles or import it), or fix the type name.',
  },
  ERR_PROTO_INVALID_MESSAGE: {
    className: proto,
    when: 'A message object does not match its type when encoding on the dynamic path.',
    remedy: 'Fix the field the message names (its type or its value).',
  },

  ERR_CLI_USAGE: {
    className: 'UsageError',
    when: 'The framerpc command line was given a bad address, flag, method or JSON message.',
    remedy: 'Follow the message (it says what was expected); framerpc --help lists the commands and flags.',
  },
};
