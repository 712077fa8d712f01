// The server's logger: pino, winston and console taken as they are, structured fields, the error object itself,
// protocol violations and a rate limit on repeated lines from one bad peer.
import 'reflect-metadata';
import { Console } from 'node:console';
import { PassThrough, Writable } from 'node:stream';
import pino from 'pino';
import * as winston from 'winston';
import { Channel, RpcServer, createClient, type Logger } from '../../src';
import { LogRateLimiter } from '../../src/server/log-rate-limit';
import { RawRpcClient } from '../rpc/raw-rpc';
import { TestServiceDefinition, defaultHandlers } from '../rpc/harness';

/** A server whose Fail method throws a plain Error (logged, the caller gets UNKNOWN). */
async function serverWith(logger: Logger, options: ConstructorParameters<typeof RpcServer>[0] = {}): Promise<{ server: RpcServer; channel: Channel; fail(): Promise<unknown> }> {
  const server = new RpcServer({ logger, ...options });
  server.addService(TestServiceDefinition, {
    ...defaultHandlers(),
    async fail() {
      throw new Error('disk on fire');
    },
  });
  const { port } = await server.listen(0);
  const channel = new Channel({ port });
  const client = createClient(TestServiceDefinition, channel);
  return { server, channel, fail: () => client.fail({ ms: 0, text: '' }).catch((error: unknown) => error) };
}

/** Collects what a stream logger writes, one entry per line. */
function lines(): { stream: Writable; lines: string[] } {
  const collected: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      collected.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== ''),
      );
      done();
    },
  });
  return { stream, lines: collected };
}

describe('server logging', () => {
  it('gives pino the error object and the call fields', async () => {
    const out = lines();
    const { server, channel, fail } = await serverWith(pino({ base: undefined }, out.stream));
    try {
      await fail();
      const [entry] = out.lines.map((line) => JSON.parse(line));
      expect(entry).toMatchObject({
        level: 50,
        msg: 'framerpc: handler of /test.v1.TestService/Fail failed (caller gets UNKNOWN)',
        method: '/test.v1.TestService/Fail',
        code: 'UNKNOWN',
        peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
        connectionId: 1,
        durationMs: expect.any(Number),
        err: { type: 'Error', message: 'disk on fire', stack: expect.stringContaining('disk on fire') },
      });
    } finally {
      channel.close();
      await server.close(0);
    }
  });

  it('writes to winston and to console as they are, with the fields and the stack', async () => {
    const winstonOut = lines();
    const winstonLogger = winston.createLogger({ format: winston.format.json(), transports: [new winston.transports.Stream({ stream: winstonOut.stream })] });
    const consoleOut = new PassThrough();
    let consoleText = '';
    consoleOut.on('data', (chunk: Buffer) => (consoleText += chunk.toString('utf8')));
    const viaConsole = new Console({ stdout: consoleOut, stderr: consoleOut });
    for (const logger of [winstonLogger, viaConsole]) {
      const { server, channel, fail } = await serverWith(logger);
      await fail();
      channel.close();
      await server.close(0);
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
    const [entry] = winstonOut.lines.map((line) => JSON.parse(line));
    expect(entry).toMatchObject({
      level: 'error',
      message: 'framerpc: handler of /test.v1.TestService/Fail failed (caller gets UNKNOWN)',
      method: '/test.v1.TestService/Fail',
      code: 'UNKNOWN',
      stack: expect.stringContaining('Error: disk on fire'),
    });
    expect(consoleText).toContain('framerpc: handler of /test.v1.TestService/Fail failed (caller gets UNKNOWN)');
    expect(consoleText).toContain("method: '/test.v1.TestService/Fail'");
    expect(consoleText).toContain('Error: disk on fire');
  });

  it('calls any other logger as error(message, error, fields)', async () => {
    const seen: unknown[][] = [];
    const { server, channel, fail } = await serverWith({ error: (...args: unknown[]) => void seen.push(args), warn: () => undefined });
    try {
      await fail();
      expect(seen).toHaveLength(1);
      const [message, error, fields] = seen[0];
      expect(message).toMatch(/handler of \/test\.v1\.TestService\/Fail failed/);
      expect((error as Error).message).toBe('disk on fire');
      expect(fields).toMatchObject({ method: '/test.v1.TestService/Fail', code: 'UNKNOWN', connectionId: 1, err: error });
    } finally {
      channel.close();
      await server.close(0);
    }
  });

  it('logs protocol violations with the peer and close code, rate-limited per peer with a count of what was suppressed', async () => {
    const out = lines();
    let now = 0;
    const server = new RpcServer({ logger: pino({ base: undefined }, out.stream), logRateLimit: { linesPerWindow: 2, windowMs: 60_000 } });
    server.addService(TestServiceDefinition, defaultHandlers());
    const { port } = await server.listen(0);
    try {
      for (let i = 0; i < 4; i++) {
        const raw = await RawRpcClient.connect(port);
        raw.frame(0x7e, 0); // a kind no client sends: PROTOCOL_ERROR
        await raw.peer.closed;
      }
      const entries = out.lines.map((line) => JSON.parse(line));
      expect(entries).toHaveLength(2);
      expect(entries[0]).toMatchObject({ level: 40, code: 'PROTOCOL_ERROR', peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/), connectionId: 1 });
      expect(entries[0].msg).toContain('unknown frame kind 0x7e');
    } finally {
      await server.close(0);
    }
    // The window's arithmetic, with a clock the test controls.
    const limiter = new LogRateLimiter({ linesPerWindow: 2, windowMs: 1000 }, () => now);
    expect([limiter.admit('a'), limiter.admit('a'), limiter.admit('a'), limiter.admit('a'), limiter.admit('b')]).toEqual([0, 0, false, false, 0]);
    now = 1000;
    expect(limiter.admit('a')).toBe(2); // the first line of the next window says 2 were suppressed
    expect(() => new LogRateLimiter({ windowMs: 0 })).toThrow('windowMs must be a positive integer');
  });
});
