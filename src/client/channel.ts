// A client's connection to one server, shared by any number of typed clients and calls.
import { EventEmitter } from 'node:events';
import type { CloseInfo } from '../transport/close-info';
import { tcpDialer } from '../transport/default-transport';
import type { ClientState, FrameDialer } from '../transport/frame-transport';
import { WaiterList } from '../transport/waiter-list';
import { diagnostics } from '../rpc/diagnostic-channels';
import { RpcError } from '../rpc/rpc-error';
import { Status } from '../rpc/status';
import { resolveChannelOptions, type ChannelOptions, type ResolvedChannelOptions } from './channel-options';
import type { ClientInterceptor } from './client-interceptor';
import { Multiplexer } from './multiplexer';
import { webSocketDialer, type WebSocketDialerOptions } from '../transport/websocket/websocket-dialer';
import { isWebSocketUrl, webSocketEndpoint } from '../transport/websocket/websocket-url';
import { checkWindowFitsMessages, defaultConnectionWindow } from '../transport/window-sizing';
import { ErrorCode, FramerpcArgumentError } from '../errors';

export interface ChannelEvents {
  /** The connection state changed (idle, connecting, open, reconnecting, closed). */
  state: [state: ClientState, previous: ClientState];
  /** A connection to the server opened (the endpoint is up). */
  connect: [];
  /** The connection closed or an attempt failed (the endpoint is down), with why. */
  disconnect: [info: CloseInfo];
  /** The server announced it is going away (GOAWAY); calls in flight may finish, new ones wait for a new connection. */
  goaway: [info: CloseInfo];
}

/**
 * Keeps one framed connection to a server (reconnecting with backoff) and multiplexes calls over it.
 * Create typed clients on it with `createClient(Definition, channel)`.
 */
/** @internal Told about each message of a stream call (instrumentation); unary messages are seen by interceptors. */
export interface StreamMessageObserver {
  messageSent(method: string): void;
  messageReceived(method: string): void;
}

export class Channel extends EventEmitter<ChannelEvents> {
  readonly transport: FrameDialer;
  readonly options: ResolvedChannelOptions;
  /** @internal Observers of stream messages; streaming calls look at it once per call, unary calls never. */
  readonly streamObservers: StreamMessageObserver[] = [];
  private mux: Multiplexer | undefined;
  private readonly muxListeners = new Set<(mux: Multiplexer) => void>();
  /** Calls waiting for the transport's next state change or connection, settled by the two listeners below. */
  private readonly changeWaiters = new WaiterList<void>();

  constructor(options: ChannelOptions) {
    super();
    this.options = resolveChannelOptions(options);
    const connectionWindowBytes = options.connectionWindowBytes ?? defaultConnectionWindow(this.options.maxResponseBytes);
    checkWindowFitsMessages(connectionWindowBytes, this.options.maxResponseBytes, 'channel');
    const { dialer = tcpDialer, ...dialerOptions } = options;
    this.transport = dialer({ ...dialerOptions, connectionWindowBytes });
    this.transport.on('state', (state, previous) => {
      this.emit('state', state, previous);
      if (diagnostics.channelState.hasSubscribers) diagnostics.channelState.publish({ channel: this, state, previous });
    });
    this.transport.on('disconnect', (info) => this.emit('disconnect', info));
    this.transport.on('connection', (connection) => {
      connection.pauseOnOwnBacklog = false; // RPC messages are flow-controlled instead
      connection.once('goaway', (info) => {
        this.emit('goaway', info);
        if (diagnostics.channelGoaway.hasSubscribers) diagnostics.channelGoaway.publish({ channel: this, info });
      });
      const mux = new Multiplexer(connection, this.options);
      this.mux = mux;
      connection.once('close', () => {
        if (this.mux === mux) this.mux = undefined;
      });
      connection.start(mux);
      for (const listener of this.muxListeners) listener(mux);
      this.changeWaiters.resolveAll();
      this.emit('connect');
    });
    this.transport.on('state', () => this.changeWaiters.resolveAll());
  }

  /** Adds a client interceptor: by default after those given in the options; `'first'` makes it the outermost. */
  use(interceptor: ClientInterceptor, position: 'last' | 'first' = 'last'): this {
    if (position === 'first') this.options.interceptors.unshift(interceptor);
    else this.options.interceptors.push(interceptor);
    return this;
  }

  /** Connects (resolves once open; with reconnect on, keeps trying until then). */
  async connect(): Promise<this> {
    await this.transport.connect();
    return this;
  }

  get state(): ClientState {
    return this.transport.state;
  }

  /** Closes the connection; calls in flight fail with UNAVAILABLE. */
  close(): void {
    this.transport.close();
  }

  /** @internal Called with each new multiplexer (each connection), e.g. to attach push handling. */
  onMultiplexer(listener: (mux: Multiplexer) => void): () => void {
    this.muxListeners.add(listener);
    if (this.mux) listener(this.mux);
    return () => this.muxListeners.delete(listener);
  }

  /** @internal The multiplexer of the open connection, if it accepts calls now. */
  readyMultiplexer(): Multiplexer | undefined {
    const mux = this.mux;
    return mux && mux.acceptsCalls ? mux : undefined;
  }

  /**
   * @internal Waits for a multiplexer. Without waitForReady, a call fails at once with UNAVAILABLE while
   * the channel is reconnecting or closed; during the first connect it waits for that first attempt only,
   * and fails with UNAVAILABLE (naming the connect error) if it fails. Bounded by the signal.
   */
  async multiplexer(waitForReady: boolean, signal: AbortSignal | undefined): Promise<Multiplexer> {
    for (;;) {
      const ready = this.readyMultiplexer();
      if (ready) return ready;
      const state = this.transport.state;
      if (state === 'idle') this.transport.connect().catch(() => undefined);
      if (!waitForReady && (state === 'idle' || state === 'connecting')) {
        // Fail fast (as grpc-js): the outcome of the first attempt decides, never the retries after it.
        await this.nextTransportChange(signal);
        if (this.readyMultiplexer()) continue;
        const after = this.transport.state;
        if (after === 'reconnecting' || after === 'closed') throw this.unavailable('could not connect');
        continue;
      }
      if (state === 'closed') throw this.unavailable('the channel is closed');
      if (!waitForReady && state === 'reconnecting') throw this.unavailable('the channel is reconnecting');
      if (!waitForReady && state === 'open' && this.mux && !this.mux.acceptsCalls) throw this.unavailable('the server is shutting down this connection');
      try {
        await this.transport.whenOpen(signal);
      } catch (error) {
        if (signal?.aborted) throw error;
        throw this.unavailable('the channel closed');
      }
      if (!this.readyMultiplexer()) {
        // Open but draining (GOAWAY): wait for the next connection or state, still bounded by the signal.
        await this.nextTransportChange(signal);
      }
    }
  }

  /** Resolves on the transport's next connection or state change; rejects with the signal's reason on abort. */
  private nextTransportChange(signal: AbortSignal | undefined): Promise<void> {
    return this.changeWaiters.wait(signal);
  }

  private unavailable(reason: string): RpcError {
    const last = this.transport.lastCloseInfo;
    return new RpcError(Status.UNAVAILABLE, last ? `${reason} (last close: ${last.reason})` : reason);
  }
}

/** Channel options for a string target: everything but where to connect. */
export type ChannelTargetOptions = Omit<ChannelOptions, 'host' | 'port' | 'dialer' | 'streamDialer'> & { ws?: WebSocketDialerOptions['ws'] };

/**
 * Creates a channel to `host:port`, to a WebSocket URL (`ws://host:port/path`, `wss://host/path`: framerpc
 * over WebSocket, see docs/protocol.md), or from full options. It connects on first use or `connect()`.
 */
export function createChannel(target: string | ChannelOptions, options: ChannelTargetOptions = {}): Channel {
  if (typeof target !== 'string') return new Channel(target);
  if (isWebSocketUrl(target)) {
    const { ws, ...channelOptions } = options;
    const { host, port } = webSocketEndpoint(target);
    return new Channel({ ...channelOptions, host, port, streamDialer: webSocketDialer(target, { maxFrameBytes: options.maxFrameBytes, ws }) });
  }
  const colon = target.lastIndexOf(':');
  const port = Number(target.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port)) throw new FramerpcArgumentError(ErrorCode.INVALID_TARGET, `channel target ${JSON.stringify(target)} must be "host:port", e.g. "127.0.0.1:50051"`);
  return new Channel({ ...options, host: target.slice(0, colon) || '127.0.0.1', port });
}
