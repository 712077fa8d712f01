// `npm run example:echo -- --port 50051`: serves EchoService with health and reflection until SIGINT/SIGTERM,
// then shuts down gracefully (health turns NOT_SERVING first, calls in flight finish).
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { RpcServer, ServingStatus, addHealthService, addReflectionService, type HealthService } from '../../src';
import { EchoHandler } from './echo-handler';
import { timingInterceptor } from './server';

export interface ServeEchoOptions {
  /** Default 50051; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  log?: (line: string) => void;
}

/** The repo's proto/ directory (examples/echo under ts-jest, dist/examples/echo when built). */
function protoDir(): string {
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'proto', 'echo', 'echo.proto'))) return path.join(dir, 'proto');
  }
  throw new Error('proto/echo/echo.proto not found above ' + __dirname);
}

/** Starts the echo server with the health and reflection services; resolves once it listens. */
export async function serveEcho(options: ServeEchoOptions = {}): Promise<{ server: RpcServer; health: HealthService }> {
  const log = options.log ?? console.log;
  const server = new RpcServer({ interceptors: [timingInterceptor(log)] });
  server.add(EchoHandler);
  const health = addHealthService(server, { statuses: { '': ServingStatus.SERVING, 'echo.v1.EchoService': ServingStatus.SERVING } });
  // EchoService comes from generated code, which carries no descriptors: reflection reads its .proto.
  addReflectionService(server, { protoFiles: ['echo/echo.proto'], includeDirs: [protoDir()] });
  await server.listen(options.port ?? 50051, options.host ?? '127.0.0.1');
  return { server, health };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '50051' }, host: { type: 'string', default: '127.0.0.1' } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${values.port}`);
  const { server } = await serveEcho({ port, host: values.host });
  console.log(`echo: listening on ${values.host}:${server.port} (health, reflection); Ctrl-C to stop`);
  const stop = (signal: string): void => {
    console.log(`echo: ${signal}, shutting down gracefully`);
    server.close(5000).then(
      () => console.log('echo: closed'),
      (error: unknown) => {
        console.error('echo: close failed', error);
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
