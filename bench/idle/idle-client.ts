// Child process: opens `count` idle connections (framerpc: preface exchanged) in batches, holds them.
import type * as net from 'node:net';
import { numberArg } from '../child/args';
import { connect, exchangePreface } from '../load/connect';

/** Child to parent: how the opening went. Parent to child: any message means close everything and exit. */
export interface IdleClientReport {
  readonly type: 'opened';
  readonly opened: number;
  readonly failed: number;
  readonly firstError?: string;
  readonly seconds: number;
}

async function openAll(port: number, count: number, framed: boolean, batchSize: number): Promise<{ sockets: net.Socket[]; report: IdleClientReport }> {
  const started = Date.now();
  const sockets: net.Socket[] = [];
  let failed = 0;
  let firstError: string | undefined;
  // Batches keep the server's listen backlog from overflowing (which would show up as SYN retries, not errors).
  for (let at = 0; at < count; at += batchSize) {
    const batch = Array.from({ length: Math.min(batchSize, count - at) }, async () => {
      const socket = await connect(port);
      socket.on('error', () => {});
      sockets.push(socket);
      if (framed) await exchangePreface(socket);
    });
    for (const outcome of await Promise.allSettled(batch)) {
      if (outcome.status === 'rejected') {
        failed++;
        firstError ??= (outcome.reason as Error).message;
      }
    }
  }
  return { sockets, report: { type: 'opened', opened: count - failed, failed, firstError, seconds: (Date.now() - started) / 1000 } };
}

const port = numberArg('port', 0);
// Not awaited at top level: a rejection is unhandled and crashes this child, which its parent reports.
void openAll(port, numberArg('count', 10_000), numberArg('framed', 1) === 1, numberArg('batch', 500)).then(({ sockets, report }) => {
  process.send?.(report);
  const closeAll = (): void => {
    for (const socket of sockets) socket.destroy();
    process.exit(0);
  };
  process.once('message', closeAll);
  process.once('disconnect', closeAll);
});
