// Shared pieces of the RPC integration tests: a TestService server on 127.0.0.1:0 with per-test
// handlers, a channel and typed client to it, a recording logger, and small promise helpers.
import 'reflect-metadata';
import { once } from 'node:events';
import {
  RpcServer,
  createClient,
  type CallContext,
  type Channel,
  type ChannelOptions,
  type Client,
  type Logger,
  type RpcServerConstructorOptions,
  type ServiceImplementation,
} from '../../src/internal';
import { Channel as ChannelClass } from '../../src/client/channel';
import { MemoryNetwork } from '../../src/transport/memory';
import { TestServiceDefinition, type Delay, type Empty, type Payload, type Sum } from '../../generated/test/testing';

export type TestDefinition = typeof TestServiceDefinition;
export type TestClient = Client<TestDefinition>;

/** A logger that keeps what it was given, so tests can assert on handler crashes without console noise. */
export interface RecordingLogger extends Logger {
  readonly errors: { message: string; error: unknown }[];
  readonly warnings: { message: string; error: unknown }[];
}

export function recordingLogger(): RecordingLogger {
  const errors: { message: string; error: unknown }[] = [];
  const warnings: { message: string; error: unknown }[] = [];
  return {
    errors,
    warnings,
    error: (message, error) => void errors.push({ message, error }),
    warn: (message, error) => void warnings.push({ message, error }),
  };
}

/** A promise with its settle functions exposed. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves when `signal` aborts, with its reason. */
export function aborted(signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.resolve(signal.reason);
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));
}

/** Waits `ms`; only for scenario timing (a server coming back later), never to wait for an event. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Echo behaviour of every TestService method; tests override the ones they exercise. */
export function defaultHandlers(): ServiceImplementation<TestDefinition> {
  return {
    async unary(request: Payload): Promise<Payload> {
      return request;
    },
    async *serverStream(request: Payload): AsyncIterable<Payload> {
      for (let i = 0; i < request.seq; i++) yield { body: request.body, seq: i };
    },
    async clientStream(requests: AsyncIterable<Payload>): Promise<Sum> {
      let total = 0;
      let count = 0;
      for await (const r of requests) {
        total += r.seq;
        count++;
      }
      return { total, count };
    },
    async *bidi(requests: AsyncIterable<Payload>): AsyncIterable<Payload> {
      for await (const r of requests) yield { body: r.body, seq: r.seq };
    },
    async sleep(request: Delay, context: CallContext): Promise<Delay> {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, request.ms);
        context.signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            reject(context.signal.reason);
          },
          { once: true },
        );
      });
      return request;
    },
    async fail(): Promise<Empty> {
      return {};
    },
  };
}

/** Which transport harnesses run over: real sockets on 127.0.0.1, or an in-memory network (same frames, no sockets). */
export type HarnessTransport = 'tcp' | 'memory';

let defaultTransport: HarnessTransport = 'tcp';

/** Makes every harness started from now on in this test file use `transport` (the *.memory.test.ts files call it). */
export function useTransport(transport: HarnessTransport): void {
  defaultTransport = transport;
}

/** The transport harnesses use now. */
export function harnessTransport(): HarnessTransport {
  return defaultTransport;
}

export interface HarnessOptions {
  server?: RpcServerConstructorOptions;
  channel?: Partial<ChannelOptions>;
  /** Default: as `useTransport` set it (tcp unless told). */
  transport?: HarnessTransport;
}

/** A running server, a connected channel and a typed client. `close()` closes all of them. */
export interface Harness {
  readonly server: RpcServer;
  readonly port: number;
  readonly channel: Channel;
  readonly client: TestClient;
  readonly logger: RecordingLogger;
  /** Another channel (and client) to the same server, closed by `close()`. */
  connect(options?: Partial<ChannelOptions>): Promise<{ channel: Channel; client: TestClient }>;
  close(): Promise<void>;
}

/** Starts a TestService server (default handlers, overridden by `handlers`) and connects a client. */
export async function startHarness(handlers: Partial<ServiceImplementation<TestDefinition>> = {}, options: HarnessOptions = {}): Promise<Harness> {
  const logger = recordingLogger();
  const network = (options.transport ?? defaultTransport) === 'memory' ? new MemoryNetwork() : undefined;
  const server = new RpcServer({ logger, ...(network && { listener: network.listener }), ...options.server });
  server.addService(TestServiceDefinition, { ...defaultHandlers(), ...handlers });
  const { port } = await server.listen(0);
  const channels: Channel[] = [];
  const connect = async (channelOptions: Partial<ChannelOptions> = {}): Promise<{ channel: Channel; client: TestClient }> => {
    const channel = new ChannelClass({ port, host: '127.0.0.1', ...(network && { dialer: network.dialer }), ...channelOptions });
    channels.push(channel);
    await channel.connect();
    return { channel, client: createClient(TestServiceDefinition, channel) };
  };
  const { channel, client } = await connect(options.channel);
  return {
    server,
    port,
    channel,
    client,
    logger,
    connect,
    async close() {
      for (const c of channels) c.close();
      await server.close(0);
    },
  };
}

/** Resolves with the next server-side connection. */
export async function nextServerConnection(server: RpcServer): Promise<import('../../src/internal').FrameConnection> {
  const [connection] = await once(server, 'connection');
  return connection;
}

/** A request stream that yields `count` payloads, counting how many were pulled. */
/**
 * Stream-window tests send messages of about 1 KB (a 1000-byte body) with a stream window of 64 000 bytes:
 * a sender may start a message while its credit is positive, so exactly 64 start before it must wait.
 */
export const WINDOW_MESSAGES = 64;
export const WINDOW_BODY = Buffer.alloc(1000);
export const WINDOW_BYTES = WINDOW_MESSAGES * WINDOW_BODY.length;

export function countingRequests(count: number, counter: { pulled: number }, body: Buffer = Buffer.alloc(0)): AsyncIterable<Payload> {
  return (async function* () {
    for (let i = 0; i < count; i++) {
      counter.pulled++;
      yield { body, seq: i };
    }
  })();
}

export { TestServiceDefinition };
