// Child process: opens `count` idle connections (framerpc: preface exchanged) in batches, holds them.
//   sources=N spreads them over the source addresses 127.0.0.2 .. 127.0.0.(N+1): one address has ~28k
//   ephemeral ports towards one server port, so 50,000 connections need at least two.
import * as net from 'node:net';
import { numberArg } from '../child/args';
import { exchangePreface } from '../load/connect';
import { openFileLimit } from './fd-limit';

/** Child to parent: how the opening went. Parent to child: any message means close everything and exit. */
export interface IdleClientReport {
  readonly type: 'opened';
  readonly opened: number;
  readonly failed: number;
  readonly firstError?: string;
  readonly seconds: number;
}

// Files this process needs besides its sockets (stdio, IPC, node's own).
const SPARE_FILES = 64;

function connectFrom(port: number, localAddress: string | undefined): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress, noDelay: true });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

async function openAll(port: number, count: number, framed: boolean, batchSize: number, sources: number): Promise<{ sockets: net.Socket[]; report: IdleClientReport }> {
  const started = Date.now();
  const limit = openFileLimit();
  if (limit && limit.soft < count + SPARE_FILES) {
    // Say what limits the run instead of failing thousands of connects with EMFILE.
    const reason = `the idle client's ulimit -n is ${limit.soft} (hard ${limit.hard}): too low for ${count} connections`;
    return { sockets: [], report: { type: 'opened', opened: 0, failed: count, firstError: reason, seconds: 0 } };
  }
  const sockets: net.Socket[] = [];
  let failed = 0;
  let firstError: string | undefined;
  // Batches keep the server's listen backlog from overflowing (which would show up as SYN retries, not errors).
  for (let at = 0; at < count; at += batchSize) {
    const batch = Array.from({ length: Math.min(batchSize, count - at) }, async (_, i) => {
      const localAddress = sources > 0 ? `127.0.0.${2 + ((at + i) % sources)}` : undefined;
      const socket = await connectFrom(port, localAddress);
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
const sources = numberArg('sources', 0);
// Not awaited at top level: a rejection is unhandled and crashes this child, which its parent reports.
void openAll(port, numberArg('count', 10_000), numberArg('framed', 1) === 1, numberArg('batch', 500), sources).then(({ sockets, report }) => {
  process.send?.(report);
  const closeAll = (): void => {
    // A reset, not a FIN: no TIME_WAIT left holding ephemeral ports of the source addresses for the next run.
    for (const socket of sockets) socket.resetAndDestroy();
    process.exit(0);
  };
  process.once('message', closeAll);
  process.once('disconnect', closeAll);
});
