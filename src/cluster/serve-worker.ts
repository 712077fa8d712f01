// The worker side of a WorkerPool: listen on a port of its own, tell the pool, drain and exit when told.
import type { AddressInfo } from 'node:net';
import type { RpcServer } from '../server/rpc-server';
import { isWorkerDrain, type WorkerListening } from './worker-messages';

export interface ServeWorkerOptions {
  /** Port to listen on. Default 0 (a free port; the pool learns which). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Grace for calls in flight when the worker is stopped by SIGTERM or loses its pool. Default 5000 ms. */
  graceMs?: number;
  /** Exit the process once drained. Default true. */
  exit?: boolean;
}

/**
 * Serves `server` as one worker of a WorkerPool (a process forked by it). On the pool's drain message, on
 * SIGTERM, or when the pool process goes away, the server closes gracefully: it stops accepting, sends
 * GOAWAY (calls it never ran are retried by clients elsewhere), lets calls in flight finish, then exits.
 */
export async function serveWorker(server: RpcServer, options: ServeWorkerOptions = {}): Promise<AddressInfo> {
  const address = await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  let draining: Promise<void> | undefined;
  const drain = (graceMs: number): Promise<void> => {
    draining ??= server.close(graceMs).then(() => {
      if (options.exit ?? true) process.exit(0);
    });
    return draining;
  };
  const graceMs = options.graceMs ?? 5000;
  process.on('message', (message) => {
    if (isWorkerDrain(message)) void drain(message.graceMs);
  });
  process.once('SIGTERM', () => drain(graceMs));
  process.once('disconnect', () => drain(graceMs));
  const listening: WorkerListening = { type: 'framerpc:listening', host: address.address, port: address.port };
  process.send?.(listening);
  return address;
}
