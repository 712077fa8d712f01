// node:diagnostics_channel channels framerpc publishes on, for tools (APMs, debuggers) that subscribe by name.
import diagnosticsChannel from 'node:diagnostics_channel';

/**
 * The channel names. Publishing costs nothing while no one subscribes (each site checks `hasSubscribers`).
 * Messages are plain objects; the `server`, `channel` and `connection` fields are the live framerpc objects.
 */
export const DiagnosticChannel = {
  /** `{ server, connection }`: a client connected to an RpcServer. */
  SERVER_CONNECTION: 'framerpc:server:connection',
  /** `{ server, connection, info }`: a server connection closed, with its CloseInfo. */
  SERVER_DISCONNECT: 'framerpc:server:disconnect',
  /** `{ server, connection, info }`: a client announced it is going away (GOAWAY). */
  SERVER_GOAWAY: 'framerpc:server:goaway',
  /** `{ server }`: an RpcServer began its graceful close. */
  SERVER_CLOSING: 'framerpc:server:closing',
  /** `{ channel, state, previous }`: a Channel's connection state changed. */
  CHANNEL_STATE: 'framerpc:channel:state',
  /** `{ channel, info }`: the server sent a Channel GOAWAY. */
  CHANNEL_GOAWAY: 'framerpc:channel:goaway',
  /** `{ method, side, kind, context? }`: a call started (published by the instrumentation interceptors). */
  CALL_START: 'framerpc:call:start',
  /** `{ method, side, code, durationMs, error? }`: a call ended (published by the instrumentation interceptors). */
  CALL_END: 'framerpc:call:end',
} as const;
export type DiagnosticChannel = (typeof DiagnosticChannel)[keyof typeof DiagnosticChannel];

/** @internal The channel objects, created once. */
export const diagnostics = {
  serverConnection: diagnosticsChannel.channel(DiagnosticChannel.SERVER_CONNECTION),
  serverDisconnect: diagnosticsChannel.channel(DiagnosticChannel.SERVER_DISCONNECT),
  serverGoaway: diagnosticsChannel.channel(DiagnosticChannel.SERVER_GOAWAY),
  serverClosing: diagnosticsChannel.channel(DiagnosticChannel.SERVER_CLOSING),
  channelState: diagnosticsChannel.channel(DiagnosticChannel.CHANNEL_STATE),
  channelGoaway: diagnosticsChannel.channel(DiagnosticChannel.CHANNEL_GOAWAY),
  callStart: diagnosticsChannel.channel(DiagnosticChannel.CALL_START),
  callEnd: diagnosticsChannel.channel(DiagnosticChannel.CALL_END),
};
