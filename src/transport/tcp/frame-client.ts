// The client end: connects (TCP or TLS), handshakes, reconnects with backoff, reports its state.
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { backoffDelay, defaultBackoffOptions, type BackoffOptions } from '../backoff';
import type { CloseInfo } from '../close-info';
import { FrameConnection } from './frame-connection';
import { FrameError } from '../../codec/frame-error';
import { initiateHandshake } from './handshake';
import { clampTimerMs } from '../timer-limit';
import type { ByteStream } from '../byte-stream';
import type { ClientState, FrameDialer, FrameDialerOptions } from '../frame-transport';
import { resolveTransportOptions, type TransportOptions } from '../transport-options';
import { WaiterList } from '../waiter-list';
import { CloseCode } from '../../codec/wire';

export type { ClientState } from '../frame-transport';

/** Options of a FrameClient. */
export interface FrameClientOptions extends FrameDialerOptions {
  /** Connect over TLS with these options (ca, servername, ...). Default plain TCP. */
  tls?: tls.ConnectionOptions;
  /** A connection attempt (TCP, TLS and preface) must complete within this. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** Reconnect after a loss or failure; `false` turns it off. Default on, see BackoffOptions. */
  reconnect?: Partial<BackoffOptions> | false;
  /** Opens the byte stream instead of TCP or TLS (a WebSocket: see `webSocketDialer`). Default TCP, or TLS with `tls`. */
  streamDialer?: StreamDialer;
  /**
   * @internal Opens the byte stream instead of a TCP or TLS socket (it emits 'connect' when usable): how
   * the in-memory transport reuses this client. Default none.
   */
  connectStream?: () => ByteStream;
}

/** Opens one byte stream per connection attempt, in place of a TCP socket. */
export interface StreamDialer {
  /** What it connects to, for error messages (a URL). */
  readonly target: string;
  /** A new stream with a socket's face; it emits 'connect' once open, or 'error'. */
  dial(): ByteStream;
}

export interface FrameClientEvents {
  /** The state changed. */
  state: [state: ClientState, previous: ClientState];
  /** A connection opened; call `connection.start(sink)` to start reading. */
  connection: [connection: FrameConnection];
  /** The current connection closed (or an attempt failed), with the reason. */
  disconnect: [info: CloseInfo];
}

/** Handshake refusals that retrying cannot fix. */
const PERMANENT = new Set<number>([CloseCode.HANDSHAKE_FAILED]);

/** A client connection that keeps itself connected. */
export class FrameClient extends EventEmitter<FrameClientEvents> implements FrameDialer {
  readonly options: TransportOptions;
  private readonly host: string;
  private readonly port: number;
  private readonly tlsOptions: tls.ConnectionOptions | undefined;
  private readonly connectTimeoutMs: number;
  private readonly dialer: StreamDialer | undefined;
  private readonly backoff: BackoffOptions | undefined;
  private stateValue: ClientState = 'idle';
  private current: FrameConnection | undefined;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private pendingSocket: ByteStream | undefined;
  private readonly connectStream: (() => ByteStream) | undefined;
  private lastClose: CloseInfo | undefined;
  private readonly openWaiters = new WaiterList<FrameConnection>();

  constructor(options: FrameClientOptions) {
    super();
    const { port, host = '127.0.0.1', tls: tlsOptions, connectTimeoutMs = 5000, reconnect = {}, streamDialer, connectStream, ...transport } = options;
    this.dialer = streamDialer;
    this.connectStream = connectStream;
    this.options = resolveTransportOptions(transport);
    this.host = host;
    this.port = port;
    this.tlsOptions = tlsOptions;
    this.connectTimeoutMs = connectTimeoutMs;
    this.backoff = reconnect === false ? undefined : { ...defaultBackoffOptions(), ...reconnect };
  }

  get state(): ClientState {
    return this.stateValue;
  }

  /** The open connection, if any. */
  get connection(): FrameConnection | undefined {
    return this.current;
  }

  /** Why the last connection closed or the last attempt failed. */
  get lastCloseInfo(): CloseInfo | undefined {
    return this.lastClose;
  }

  /** Starts connecting (once); resolves with the first open connection, rejects if the client closes first. */
  connect(): Promise<FrameConnection> {
    if (this.stateValue === 'idle') {
      this.setState('connecting');
      this.tryConnect();
    }
    return this.whenOpen();
  }

  /** Resolves with an open connection as soon as there is one; rejects when the client closes. */
  whenOpen(signal?: AbortSignal): Promise<FrameConnection> {
    if (this.current && this.stateValue === 'open') return Promise.resolve(this.current);
    if (this.stateValue === 'closed') return Promise.reject(this.closedError());
    return this.openWaiters.wait(signal); // settled by setState: one list, not one listener per caller
  }

  /** Stops reconnecting and closes the open connection with GOAWAY. */
  close(reason = 'client closed'): void {
    if (this.stateValue === 'closed') return;
    clearTimeout(this.retryTimer);
    this.pendingSocket?.destroy();
    const connection = this.current;
    this.current = undefined;
    this.setState('closed');
    connection?.close(CloseCode.NORMAL, reason);
  }

  private closedError(): Error {
    const last = this.lastClose;
    return new FrameError(last?.code ?? CloseCode.NORMAL, last ? `client closed: ${last.reason}` : 'client closed');
  }

  private tryConnect(): void {
    this.attempt++;
    const dialer = this.dialer;
    const socket: ByteStream = dialer
      ? dialer.dial()
      : this.connectStream
        ? this.connectStream()
        : this.tlsOptions
          ? tls.connect({ ...this.tlsOptions, host: this.host, port: this.port })
          : net.connect({ host: this.host, port: this.port });
    this.pendingSocket = socket;
    const timer = setTimeout(() => {
      socket.destroy(new Error(`connect timed out after connectTimeoutMs (${this.connectTimeoutMs} ms)`));
    }, clampTimerMs(this.connectTimeoutMs)).unref();
    // A socket error reaches both this listener and the handshake's, which then rejects too: one
    // failed attempt must be reported (and retried) once.
    let failedOnce = false;
    const failed = (error: Error): void => {
      if (failedOnce) return;
      failedOnce = true;
      clearTimeout(timer);
      if (this.pendingSocket === socket) this.pendingSocket = undefined;
      socket.destroy();
      const info: CloseInfo =
        error instanceof FrameError
          ? { code: error.closeCode, reason: error.message, remote: true }
          : { code: CloseCode.CONNECTION_LOST, reason: `connect to ${dialer?.target ?? `${this.host}:${this.port}`} failed: ${error.message}`, remote: false };
      this.onLost(info);
    };
    socket.on('error', failed);
    socket.once(this.tlsOptions && !dialer && !this.connectStream ? 'secureConnect' : 'connect', () => {
      initiateHandshake(socket, this.options).then((result) => {
        clearTimeout(timer);
        socket.off('error', failed);
        socket.on('error', () => {
          // Reported by the connection's close reason.
        });
        this.pendingSocket = undefined;
        if (this.stateValue === 'closed') {
          socket.destroy();
          return;
        }
        const connection = new FrameConnection(0, socket, this.options, result.peer, result.leftover);
        this.current = connection;
        this.attempt = 0;
        let replaced = false;
        connection.once('goaway', (info) => {
          if (this.current !== connection || this.stateValue === 'closed' || !this.backoff) return;
          replaced = true;
          // The server drains this connection: open the next one now, so new calls (and the calls it never
          // ran, sent again) need not wait for this one to close. It finishes its calls meanwhile.
          this.current = undefined;
          this.lastClose = info;
          this.setState('reconnecting');
          this.tryConnect();
        });
        connection.once('close', (info) => {
          if (replaced) {
            // The attempt that replaced it after its GOAWAY reconnects (with backoff) on its own failures.
            this.emit('disconnect', info);
            return;
          }
          if (this.current === connection) this.current = undefined;
          this.onLost(info);
        });
        this.setState('open');
        this.emit('connection', connection);
        connection.start();
      }, failed);
    });
  }

  private onLost(info: CloseInfo): void {
    this.lastClose = info;
    this.emit('disconnect', info);
    if (this.stateValue === 'closed') return;
    const backoff = this.backoff;
    if (!backoff || PERMANENT.has(info.code) || this.attempt >= backoff.maxAttempts) {
      this.setState('closed');
      return;
    }
    this.setState('reconnecting');
    this.retryTimer = setTimeout(() => this.tryConnect(), backoffDelay(backoff, Math.max(1, this.attempt))).unref();
  }

  private setState(state: ClientState): void {
    const previous = this.stateValue;
    if (previous === state) return;
    this.stateValue = state;
    if (state === 'open' && this.current) this.openWaiters.resolveAll(this.current);
    else if (state === 'closed') this.openWaiters.rejectAll(this.closedError());
    this.emit('state', state, previous);
  }
}
