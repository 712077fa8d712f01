// TLS slowloris: a TLS server's connections are counted and timed from TCP accept, not from the end of the TLS handshake.
import type * as net from 'node:net';
import type * as tls from 'node:tls';
import type { TransportOptions } from '../transport-options';
import { CloseCode } from '../../codec/wire';

/**
 * Node runs the TLS handshake before the server sees a connection (default timeout 120 s), so a peer
 * that opens TCP connections and never sends a ClientHello would hold them past `handshakeTimeoutMs` and
 * `maxConnections`. Here the server (created with `handshakeTimeout: handshakeTimeoutMs`):
 * - counts raw TCP sockets against `maxConnections` (net.Server's own limit): one over it is dropped at
 *   accept, before any TLS work (a plain-text GOAWAY cannot be sent inside TLS);
 * - reports a handshake that times out as TIMEOUT, any other TLS failure as HANDSHAKE_FAILED;
 * - records every TCP socket in `tcpSockets`, so close() can drop those still in their handshake.
 */
export function guardTlsServer(
  server: tls.Server,
  options: TransportOptions,
  maxConnections: number,
  tcpSockets: Set<net.Socket>,
  onRejected: (rejected: { remoteAddress: string; code: CloseCode; reason: string }) => void,
): tls.Server {
  server.maxConnections = maxConnections;
  server.on('drop', (dropped?: { remoteAddress?: string }) => {
    onRejected({
      remoteAddress: dropped?.remoteAddress ?? '',
      code: CloseCode.SERVER_FULL,
      reason: `server is at maxConnections (${maxConnections}); TCP connection dropped before the TLS handshake`,
    });
  });
  server.on('connection', (socket: net.Socket) => {
    tcpSockets.add(socket);
    socket.once('close', () => tcpSockets.delete(socket));
  });
  // A TLS handshake failure is the peer's problem; it must not take the server down. With a listener
  // here Node leaves the socket open (a timed-out handshake would linger): destroy it.
  server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
    socket.destroy();
    const timedOut = error.code === 'ERR_TLS_HANDSHAKE_TIMEOUT';
    onRejected({
      remoteAddress: socket.remoteAddress ?? '',
      code: timedOut ? CloseCode.TIMEOUT : CloseCode.HANDSHAKE_FAILED,
      reason: timedOut ? `no TLS handshake within handshakeTimeoutMs (${options.handshakeTimeoutMs} ms)` : `TLS handshake failed: ${error.message}`,
    });
  });
  return server;
}
