// Child side of a bench server: start it, report the port, answer memory queries, stop on request.
import type { ChildMessage, ParentMessage } from './messages';

/** A running bench server, as the child sees it. */
export interface ChildServer {
  readonly port: number;
  /** Open connections right now (for the memory section's sanity check). */
  connections(): number;
  close(): Promise<void>;
}

/**
 * Runs `start` in this (forked) process and talks to the parent over IPC. The child exits when told to
 * stop or when the parent goes away, so a crashed bench never leaves servers behind.
 */
export function serveInChild(start: () => Promise<ChildServer>): void {
  const send = (message: ChildMessage): void => {
    process.send?.(message);
  };
  start().then(
    (server) => {
      send({ type: 'ready', port: server.port });
      process.on('message', (message: ParentMessage) => {
        if (message.type === 'memory') {
          (globalThis as { gc?: () => void }).gc?.();
          const usage = process.memoryUsage();
          send({ type: 'memory', rss: usage.rss, heapUsed: usage.heapUsed, connections: server.connections() });
        } else if (message.type === 'cpu') {
          const usage = process.cpuUsage();
          send({ type: 'cpu', micros: usage.user + usage.system });
        } else if (message.type === 'stop') {
          // Bounded: a server that cannot close in time still exits (and still writes its --cpu-prof).
          setTimeout(() => process.exit(0), 3000).unref();
          void server.close().finally(() => process.exit(0)); // exits 0 whether close resolves or rejects
        }
      });
      process.on('disconnect', () => process.exit(0));
    },
    (error: Error) => {
      send({ type: 'failed', reason: error.stack ?? String(error) });
      process.exit(1);
    },
  );
}
