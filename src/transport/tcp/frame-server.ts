// Accepts framed connections over TCP or TLS: handshake, connection limit, graceful close.
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { FrameError } from '../../codec/frame-error';
import { FrameConnection, type ConnectionOwner } from './frame-connection';
import type { MemoryBudget } from '../memory-budget';
import { acceptHandshake, refuse } from './handshake';
import { guardTlsServer } from './tls-admission';
import type { ByteStream } from '../byte-stream';
import type { FrameListener, FrameListenerOptions, RejectedConnection } from '../frame-transport';
import { resolveTransportOptions, type TransportOptions } from '../transport-options';
import { FramerpcOptionError } from '../../errors';
import { CloseCode } from '../../codec/wire';

/** Options of a FrameServer: the transport options plus the server's own. */
export interface FrameServerOptions extends FrameListenerOptions {
  /** Serve TLS with these options (key, cert, ...) instead of plain TCP. Default none. */
  tls?: tls.TlsOptions;
}

export type { RejectedConnection } from '../frame-transport';

export interface FrameServerEvents {
  /** A connection completed its handshake; call `connection.start(sink)` to start reading. */
  connection: [connection: FrameConnection];
  /** A connection was refused or failed its handshake; the peer was sent `reason`. */
  rejected: [rejected: RejectedConnection];
}

/** @internal Another way in (a WebSocket endpoint): stops taking connections when the server closes. */
export interface FrameAcceptor {
  stopAccepting(): Promise<void>;
}

function ignoreSocketError(): void {
  // Reported through the connection's close reason; never an uncaught error.
}

/** Listens for framed connections over TCP or TLS. Port 0 picks a free port; `address()` tells which. */
export class FrameServer extends EventEmitter<FrameServerEvents> implements FrameListener, ConnectionOwner {
  readonly options: TransportOptions;
  readonly maxConnections: number;
  private readonly server: net.Server;
  private readonly live = new Map<number, FrameConnection>();
  /** Sockets accepted and not yet a connection (in their handshake, or refused and closing). */
  private readonly sockets = new Set<ByteStream>();
  /** With TLS: every TCP socket, counted from accept (before and during the TLS handshake). */
  private readonly tcpSockets = new Set<net.Socket>();
  private readonly acceptors = new Set<FrameAcceptor>();
  private nextId = 1;
  private closing = false;
  private readonly memoryBudget: MemoryBudget | undefined;
  /** One 'close' listener for every accepted socket (the emitter passes the socket as `this`): no closure per socket. */
  private readonly forgetSocket: (this: ByteStream) => void;

  constructor(options: FrameServerOptions = {}) {
    super();
    const { maxConnections = 10_000, tls: tlsOptions, memoryBudget, ...transport } = options;
    this.memoryBudget = memoryBudget;
    const sockets = this.sockets;
    this.forgetSocket = function (this: ByteStream) {
      sockets.delete(this);
    };
    if (!Number.isInteger(maxConnections) || maxConnections < 1) throw new FramerpcOptionError('maxConnections', `maxConnections must be a positive integer, got ${maxConnections}`);
    this.options = resolveTransportOptions(transport);
    this.maxConnections = maxConnections;
    if (tlsOptions) {
      // Node's TLS handshake runs before accept(): its timeout and the connection count must start at TCP accept.
      const server = tls.createServer({ handshakeTimeout: this.options.handshakeTimeoutMs, ...tlsOptions }, (socket) => this.accept(socket));
      this.server = guardTlsServer(server, this.options, maxConnections, this.tcpSockets, (rejected) => this.emit('rejected', rejected));
    } else {
      this.server = net.createServer({ pauseOnConnect: true }, (socket) => this.accept(socket));
    }
  }

  /** Starts listening; resolves with the bound address (host defaults to 127.0.0.1). */
  listen(port = 0, host = '127.0.0.1'): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.address());
      });
    });
  }

  address(): net.AddressInfo {
    return this.server.address() as net.AddressInfo;
  }

  /** Open connections by id. */
  get connections(): ReadonlyMap<number, FrameConnection> {
    return this.live;
  }

  /**
   * Stops accepting, sends every connection GOAWAY (SHUTTING_DOWN), lets in-flight work finish for up
   * to `graceMs` (default 5000), then closes what is left. Resolves when every connection has closed.
   */
  async close(graceMs = 5000): Promise<void> {
    this.closing = true;
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const acceptorsStopped = Promise.all([...this.acceptors].map((acceptor) => acceptor.stopAccepting()));
    await Promise.all([...this.live.values()].map((connection) => connection.shutdown(graceMs)));
    for (const socket of this.sockets) socket.destroy();
    for (const socket of this.tcpSockets) socket.destroy(); // still in their TLS handshake
    await stopped;
    await acceptorsStopped;
  }

  /** @internal Registers another way in (a WebSocket endpoint), closed with the server. */
  addAcceptor(acceptor: FrameAcceptor): void {
    this.acceptors.add(acceptor);
  }

  /**
   * @internal Takes a connected byte stream as if it had been accepted (limits, handshake, connection):
   * how a WebSocket endpoint and the in-memory transport reuse this server without a TCP socket.
   */
  acceptStream(stream: ByteStream): void {
    this.accept(stream);
  }

  private accept(socket: ByteStream): void {
    socket.on('error', ignoreSocketError);
    if (this.closing) {
      this.reject(socket, CloseCode.SHUTTING_DOWN, 'server shutting down');
      return;
    }
    if (this.sockets.size + this.live.size >= this.maxConnections) {
      this.reject(socket, CloseCode.SERVER_FULL, `server is at maxConnections (${this.maxConnections}); try again later`);
      return;
    }
    this.sockets.add(socket);
    socket.on('close', this.forgetSocket);
    acceptHandshake(socket, this.options).then(
      ({ peer, leftover }) => {
        if (socket.destroyed) return;
        if (this.closing) {
          // The handshake finished after close() began: refuse rather than open and drop it.
          this.reject(socket, CloseCode.SHUTTING_DOWN, 'server shutting down');
          return;
        }
        const connection = new FrameConnection(this.nextId++, socket, this.options, peer, leftover, this.memoryBudget, this);
        // From here the connection counts, and its own listeners see the socket's end and errors.
        this.sockets.delete(socket);
        socket.off('close', this.forgetSocket);
        socket.off('error', ignoreSocketError);
        this.live.set(connection.id, connection);
        this.emit('connection', connection);
        // Nobody took the connection: read anyway so PINGs are answered and limits enforced.
        connection.start();
      },
      (error: FrameError) => {
        this.emit('rejected', { remoteAddress: socket.remoteAddress ?? '', code: error.closeCode, reason: error.message });
      },
    );
  }

  /** ConnectionOwner: a connection closed (before its 'close' event). */
  connectionClosed(connection: FrameConnection): void {
    this.live.delete(connection.id);
  }

  private reject(socket: ByteStream, code: CloseCode, reason: string): void {
    refuse(socket, code, reason, this.options.closeTimeoutMs);
    this.emit('rejected', { remoteAddress: socket.remoteAddress ?? '', code, reason });
  }
}
