// The native bench's C load generator against real framerpc servers on 127.0.0.1: it speaks protocol v2,
// keeps to the server's connection window, and reports failures. Without a C compiler the section must
// say so instead, which is what these tests then check.
import 'reflect-metadata';
import { compileLoadgen, findCompiler, type CompiledLoadgen } from '../../bench/native/compile-loadgen';
import { runLoadgen, type LoadgenRun } from '../../bench/native/run-loadgen';
import { EchoHandler } from '../../examples/echo/echo-handler';
import { EchoServiceDefinition } from '../../generated/echo/echo';
import { RpcServer } from '../../src';
import { FrameKind, FrameServer, type FrameConnection } from '../../src/transport';

const SHORT = { warmupMs: 50, measureMs: 200 };
let built: CompiledLoadgen | { reason: string };

beforeAll(async () => {
  built = await compileLoadgen();
}, 30_000);

afterAll(() => {
  if ('binary' in built) built.dispose();
});

/** Runs `run` when the load generator was built; otherwise checks that the skip names the missing compiler. */
async function withLoadgen(check: (binary: string) => Promise<void>): Promise<void> {
  if ('reason' in built) {
    expect(findCompiler()).toBeUndefined();
    expect(built.reason).toBe('native section skipped: no C compiler (cc) found; install gcc');
    return;
  }
  await check(built.binary);
}

describe('native load generator', () => {
  it('echoes DATA frames through a FrameServer after the preface exchange, every echo the size sent', async () => {
    const server = new FrameServer({ heartbeatIntervalMs: 0 });
    server.on('connection', (connection: FrameConnection) => {
      connection.start({ onFrame: (kind, _flags, streamId, payload) => kind === FrameKind.DATA && connection.send(FrameKind.DATA, 0, streamId, payload) });
    });
    const { port } = await server.listen(0, '127.0.0.1');
    try {
      await withLoadgen(async (binary) => {
        const run: LoadgenRun = { mode: 'transport', port, connections: 2, depth: 8, payloadBytes: 512, ...SHORT };
        const result = await runLoadgen(binary, run);
        expect(result.frames).toBeGreaterThan(0);
        expect(result.errors).toBe(0);
        expect(result.p50Us).toBeGreaterThan(0);
        expect(result.maxUs ?? 0).toBeGreaterThanOrEqual(result.p99Us ?? Infinity);
      });
    } finally {
      await server.close(0);
    }
  });

  it('makes unary calls within a small server connection window, waiting for its grants', async () => {
    // 64 calls x 4 KiB is ~256 KiB of requests against a 96 KiB window, and each handler holds its request
    // for 20 ms: a client that did not wait for WINDOW grants would overspend the window and the server
    // would close the connection with FLOW_CONTROL_ERROR (13), which the load generator reports as fatal.
    const server = new RpcServer({ heartbeatIntervalMs: 0, maxRequestBytes: 16 * 1024, connectionWindowBytes: 96 * 1024 });
    server.addService(EchoServiceDefinition, {
      echo: async (request) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { text: request.text, servedBy: 1 };
      },
      async *echoStream() {},
      whoAmI: () => ({ user: '', peer: '' }),
    });
    await server.listen(0);
    try {
      await withLoadgen(async (binary) => {
        const result = await runLoadgen(binary, { mode: 'unary', port: server.port, connections: 1, depth: 64, payloadBytes: 4096, warmupMs: 0, measureMs: 200 });
        // About 23 requests fit the window at a time, so the window, not the depth, bounds the calls in flight.
        expect(result.frames).toBeGreaterThan(23);
        expect(result.frames).toBeLessThan(64 * 10);
        expect(result.errors).toBe(0);
      });
    } finally {
      await server.close(0);
    }
  });

  it('counts calls that fail with a status as wrong replies and keeps going', async () => {
    const server = new RpcServer({ heartbeatIntervalMs: 0 });
    server.add(EchoHandler);
    await server.listen(0);
    try {
      await withLoadgen(async (binary) => {
        const run = { mode: 'unary', port: server.port, connections: 1, depth: 4, payloadBytes: 64, ...SHORT } as const;
        // The example's EchoService has no method of this name: UNIMPLEMENTED (12) for every call.
        const result = await runLoadgen(binary, { ...run, method: '/echo.v1.EchoService/Missing' });
        expect(result.frames).toBeGreaterThan(0);
        expect(result.errors).toBe(result.allFrames);
        expect(result.firstError).toMatch(/^call \d+ failed with status 12: no service on this server has a method/);
      });
    } finally {
      await server.close(0);
    }
  });

  it('is skipped with a clear reason when no cc is on the PATH', async () => {
    expect(findCompiler({ PATH: '/nonexistent' })).toBeUndefined();
    await expect(compileLoadgen({ PATH: '/nonexistent' })).resolves.toEqual({ reason: 'native section skipped: no C compiler (cc) found; install gcc' });
  });

  it('rejects with its own reason when nothing listens on the port', async () => {
    const server = new FrameServer({ heartbeatIntervalMs: 0 });
    const { port } = await server.listen(0, '127.0.0.1');
    await server.close(0);
    await withLoadgen(async (binary) => {
      await expect(runLoadgen(binary, { mode: 'raw', port, connections: 1, depth: 1, payloadBytes: 64, ...SHORT })).rejects.toThrow(`loadgen raw: connect to 127.0.0.1:${port}: Connection refused`);
    });
  });
});
