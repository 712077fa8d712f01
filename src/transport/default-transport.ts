// The transport a server and a channel use unless given another: TCP (or TLS) through transport/tcp.
import type { FrameDialerFactory, FrameListenerFactory } from './frame-transport';
import { FrameClient, type FrameClientOptions } from './tcp/frame-client';
import { FrameServer, type FrameServerOptions } from './tcp/frame-server';

export type { FrameClientOptions, FrameServerOptions } from './tcp';

/** Listens on TCP, or TLS when the options have `tls`. */
export const tcpListener: FrameListenerFactory<FrameServerOptions> = (options) => new FrameServer(options);

/** Dials TCP, or TLS when the options have `tls`, reconnecting with backoff. */
export const tcpDialer: FrameDialerFactory<FrameClientOptions> = (options) => new FrameClient(options);
