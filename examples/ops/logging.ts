// README "Operations: logging": pino as the server's logger, as it is.
import type { Writable } from 'node:stream';
import pino from 'pino';
import { RpcServer } from '../../src';

export function loggingExample(destination?: Writable): RpcServer {
  const logger = pino(destination ?? process.stdout);
  // Handler errors (with the error object as `err`), protocol violations and slow consumers, each with
  // method, code, peer, connectionId and durationMs; at most 5 like lines per peer per minute.
  return new RpcServer({ logger, logRateLimit: { linesPerWindow: 5, windowMs: 60_000 } });
}
