// Shared set-up of the push tests: a server with a hub on 127.0.0.1:0, typed client channels, raw peers
// that subscribe and then never read, and waiting on events rather than on time.
import * as net from 'node:net';
import { EventEmitter } from 'node:events';
import { RpcServer, createChannel, PushHub, type Channel, type PushHubOptions, type RpcServerConstructorOptions, type ChannelOptions } from '../../src';
import { Topics } from '../../generated/framerpc/push/v1/push';
import { encodeCallHeader } from '../../src/rpc/call-header';
import { Metadata } from '../../src/rpc/metadata';
import { encodeFrame } from '../../src/transport/shared-frame';
import { encodePreface } from '../../src/codec/preface';
import { localPreface } from '../../src/transport/tcp/handshake';
import { resolveTransportOptions } from '../../src/transport/transport-options';
import { FrameFlag, FrameKind, Role } from '../../src/codec/wire';

export const SUBSCRIBE = '/framerpc.push.v1.PushControl/Subscribe';

/** A server with a hub, and an event per completed control call (from an outermost interceptor). */
export interface PushFixture {
  readonly server: RpcServer;
  readonly hub: PushHub;
  readonly port: number;
  /** Emits (method, connectionId, metadata) after each PushControl call succeeded. */
  readonly controlCalls: EventEmitter<{ done: [method: string, connectionId: number, metadata: Metadata] }>;
  readonly channels: Channel[];
  channel(options?: Partial<ChannelOptions>): Promise<Channel>;
  close(): Promise<void>;
}

export async function startPush(hubOptions: Partial<PushHubOptions> = {}, serverOptions: RpcServerConstructorOptions = {}): Promise<PushFixture> {
  const controlCalls = new EventEmitter<{ done: [method: string, connectionId: number, metadata: Metadata] }>();
  // Quiet by default: slow consumers are logged, and these tests make them on purpose.
  const server = new RpcServer({ logger: { error() {}, warn() {} }, ...serverOptions });
  server.use(async (context, next) => {
    const result = await next();
    if (context.method.startsWith('/framerpc.push.v1.PushControl/')) controlCalls.emit('done', context.method, context.connectionId, context.metadata);
    return result;
  });
  const hub = new PushHub(server, hubOptions);
  const { port } = await server.listen(0);
  const channels: Channel[] = [];
  return {
    server,
    hub,
    port,
    controlCalls,
    channels,
    async channel(options = {}) {
      const channel = createChannel({ host: '127.0.0.1', port, ...options });
      channels.push(channel);
      await channel.connect();
      return channel;
    },
    async close() {
      for (const channel of channels) channel.close();
      await server.close(100);
    },
  };
}

/** The server-side id of a channel's connection: the id its next control call arrives with. */
export function nextControlCall(fixture: PushFixture, method = SUBSCRIBE): Promise<number> {
  return new Promise((resolve) => {
    const onDone = (done: string, connectionId: number): void => {
      if (done !== method) return;
      fixture.controlCalls.off('done', onDone);
      resolve(connectionId);
    };
    fixture.controlCalls.on('done', onDone);
  });
}

/** Resolves once `emitter` emitted `event` `count` times. */
export function events(emitter: EventEmitter, event: string, count = 1): Promise<unknown[][]> {
  return new Promise((resolve) => {
    const seen: unknown[][] = [];
    const on = (...args: unknown[]): void => {
      seen.push(args);
      if (seen.length < count) return;
      emitter.off(event, on);
      resolve(seen);
    };
    emitter.on(event, on);
  });
}

/** Collects messages from a listener and resolves `until(n)` once n have arrived. */
export class Collector<T> {
  readonly items: T[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];
  readonly push = (item: T): void => {
    this.items.push(item);
    this.waiters = this.waiters.filter((waiter) => {
      if (this.items.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  };

  until(count: number): Promise<void> {
    if (this.items.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

/**
 * A peer that completes the handshake (without compression), subscribes to `topics` with one raw CALL,
 * and then never reads: the server's bytes pile up in the kernel and then in the server's queue.
 */
export class StalledPeer {
  readonly closed: Promise<void>;
  private constructor(readonly socket: net.Socket) {
    socket.on('error', () => {
      // Being reset by the server is one of the outcomes under test.
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static async connect(port: number, topics: string[], metadata: Record<string, string> = {}): Promise<StalledPeer> {
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.pause();
    const plain = { compressMinBytes: Infinity, compressionLevel: 0, xorKey: undefined };
    const request = Topics.encode({ topics }).finish();
    const call = encodeCallHeader(Buffer.from(SUBSCRIBE, 'latin1'), 0, new Metadata(metadata), request);
    socket.write(encodePreface(localPreface(resolveTransportOptions({ compression: false }), Role.CLIENT)));
    socket.write(encodeFrame(FrameKind.CALL, FrameFlag.END_STREAM, 1, call, plain));
    return new StalledPeer(socket);
  }

  /** Starts reading at last: resolves with every byte the server sent, once the connection has closed. */
  readAll(): Promise<Buffer> {
    const chunks: Buffer[] = [];
    this.socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    this.socket.resume();
    return this.closed.then(() => Buffer.concat(chunks));
  }

  destroy(): void {
    this.socket.destroy();
  }
}
