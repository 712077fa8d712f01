// The TCP/TLS implementation of the transport: a connection over a socket, a listener, a dialer.
export { FrameConnection, type FrameConnectionState } from './frame-connection';
export { FrameServer, type FrameServerOptions, type FrameServerEvents } from './frame-server';
export { FrameClient, type FrameClientOptions, type FrameClientEvents } from './frame-client';
