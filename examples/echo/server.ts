// Starts the echo server: the decorated handler, built by tsyringe, plus a timing interceptor.
import 'reflect-metadata';
import { RpcServer, type ServerInterceptor } from '../../src';
import { EchoHandler } from './echo-handler';

/** Logs each call's method, outcome and time. */
export function timingInterceptor(log: (line: string) => void): ServerInterceptor {
  return async (context, next) => {
    const started = process.hrtime.bigint();
    try {
      const result = await next();
      log(`server: ${context.method} OK in ${Number(process.hrtime.bigint() - started) / 1e3} µs`);
      return result;
    } catch (error) {
      log(`server: ${context.method} failed: ${(error as Error).message}`);
      throw error;
    }
  };
}

/** Creates and starts an echo server on 127.0.0.1 (port 0 = any free port). */
export async function startEchoServer(port = 0, log: (line: string) => void = console.log): Promise<RpcServer> {
  const server = new RpcServer({ interceptors: [timingInterceptor(log)] });
  server.add(EchoHandler);
  await server.listen(port);
  return server;
}
