// Accepts framerpc over WebSocket for a FrameServer (so an RpcServer and its PushHub): on its own port or on an http(s) server's path.
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { FrameServer } from '../tcp/frame-server';
import type { FrameListener } from '../frame-transport';
import { ErrorCode, FramerpcArgumentError, FramerpcOptionError } from '../../errors';
import { CloseCode, FRAME_HEADER_BYTES } from '../../codec/wire';
import { NodeWebSocketPort } from './node-websocket-port';
import { originAllowed, type OriginPolicy } from './origin-policy';
import { WEBSOCKET_MAX_SEND_MESSAGE_BYTES, WebSocketByteStream } from './websocket-byte-stream';

/** Options of a WebSocket endpoint. */
export interface WebSocketListenerOptions {
  /**
   * Serve on this existing http or https server (wss:// through https) at `path`, beside its other routes.
   * Default none: the listener makes its own server, started by `listen()`.
   */
  server?: http.Server | https.Server;
  /** With no `server`: serve wss:// with these TLS options (key, cert, ...). Default plain ws://. */
  tls?: https.ServerOptions;
  /** The URL path of the endpoint; upgrades to other paths are refused (404) or left to the server's other listeners. Default '/'. */
  path?: string;
  /**
   * Browser origins allowed to connect; others are refused with HTTP 403 before the upgrade. Default
   * 'same-origin' (a page served by the same host and port). See OriginPolicy.
   */
  allowedOrigins?: OriginPolicy;
}

/** Something that owns a FrameServer: an RpcServer. */
export interface HasFrameServer {
  readonly transport: FrameListener;
}

/**
 * A WebSocket endpoint feeding a FrameServer: each upgraded WebSocket becomes a byte stream the server
 * treats as it treats a TCP socket (handshake, maxConnections, heartbeats, limits, slow consumers, GOAWAY).
 * WebSocket-level compression is off (framerpc compresses per frame); a message longer than
 * max(maxFrameBytes + 10, 64 KiB) closes the WebSocket with 1009. Closed by the FrameServer's close().
 */
export class WebSocketListener {
  readonly path: string;
  private readonly frameServer: FrameServer;
  private readonly webSockets: WebSocketServer;
  private readonly httpServer: http.Server | https.Server;
  private readonly ownServer: boolean;
  private readonly allowedOrigins: OriginPolicy;
  private closing = false;
  private readonly onUpgrade = (request: http.IncomingMessage, socket: Duplex, head: Buffer): void => this.upgrade(request, socket, head);

  constructor(target: FrameServer | HasFrameServer, options: WebSocketListenerOptions = {}) {
    const listener = target instanceof FrameServer ? target : target.transport;
    if (!(listener instanceof FrameServer)) {
      throw new FramerpcArgumentError(ErrorCode.INVALID_ARGUMENT, 'serveWebSocket needs a server on the TCP listener (the default): its WebSocket connections join that listener');
    }
    this.frameServer = listener;
    this.path = options.path ?? '/';
    if (!this.path.startsWith('/')) throw new FramerpcOptionError('path', `WebSocket path must start with "/", got ${JSON.stringify(this.path)}`);
    this.allowedOrigins = options.allowedOrigins ?? 'same-origin';
    const maxPayload = Math.max(this.frameServer.options.maxFrameBytes + FRAME_HEADER_BYTES, WEBSOCKET_MAX_SEND_MESSAGE_BYTES);
    this.webSockets = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false, clientTracking: false });
    this.ownServer = options.server === undefined;
    this.httpServer = options.server ?? (options.tls ? https.createServer(options.tls, upgradeRequired) : http.createServer(upgradeRequired));
    this.httpServer.on('upgrade', this.onUpgrade);
    this.frameServer.addAcceptor(this);
  }

  /** With its own server: starts listening (port 0 picks one; host defaults to 127.0.0.1). */
  listen(port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
    if (!this.ownServer) return Promise.reject(new Error('this WebSocket endpoint is attached to a server you listen on yourself'));
    return new Promise((resolve, reject) => {
      this.httpServer.once('error', reject);
      this.httpServer.listen(port, host, () => {
        this.httpServer.off('error', reject);
        resolve(this.address());
      });
    });
  }

  address(): AddressInfo {
    return this.httpServer.address() as AddressInfo;
  }

  /** Stops accepting upgrades (the FrameServer closes the connections); closes its own server. */
  stopAccepting(): Promise<void> {
    this.closing = true;
    this.httpServer.off('upgrade', this.onUpgrade);
    if (!this.ownServer) return Promise.resolve();
    return new Promise((resolve) => {
      this.httpServer.close(() => resolve());
      this.httpServer.closeAllConnections();
    });
  }

  private upgrade(request: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => {
      // An upgrade that fails is the peer's problem; never an uncaught error.
    });
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path !== this.path) {
      // Another upgrade listener of a shared server may own that path.
      if (this.ownServer || this.httpServer.listenerCount('upgrade') === 1) refuseUpgrade(socket, 404, `no framerpc WebSocket endpoint at ${path}`);
      return;
    }
    if (this.closing) {
      refuseUpgrade(socket, 503, 'server shutting down');
      return;
    }
    if (!originAllowed(this.allowedOrigins, request)) {
      const reason = `Origin ${request.headers.origin} is not allowed to connect (allowedOrigins)`;
      refuseUpgrade(socket, 403, reason);
      this.frameServer.emit('rejected', { remoteAddress: request.socket.remoteAddress ?? '', code: CloseCode.HANDSHAKE_FAILED, reason });
      return;
    }
    this.webSockets.handleUpgrade(request, socket, head, (webSocket: WebSocket) => {
      const port = new NodeWebSocketPort(webSocket, request.socket.remoteAddress ?? '', request.socket.remotePort ?? 0);
      this.frameServer.acceptStream(new WebSocketByteStream(port).asSocket());
    });
  }
}

/** Serves framerpc over WebSocket for `target` (an RpcServer or FrameServer); see WebSocketListener. */
export function serveWebSocket(target: FrameServer | HasFrameServer, options: WebSocketListenerOptions = {}): WebSocketListener {
  return new WebSocketListener(target, options);
}

function upgradeRequired(_request: http.IncomingMessage, response: http.ServerResponse): void {
  response.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket', connection: 'close' });
  response.end('framerpc WebSocket endpoint: connect with a WebSocket client\n');
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const body = `${reason}\n`;
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  (socket as Socket).destroySoon?.();
}
