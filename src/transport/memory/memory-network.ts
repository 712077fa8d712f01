// Listeners and dialers that connect in memory: the TCP implementation's server, client and connection over in-memory streams.
import type { AddressInfo } from 'node:net';
import type { FrameDialerFactory, FrameListenerFactory, FrameTransport } from '../frame-transport';
import { FrameClient } from '../tcp/frame-client';
import { FrameServer, type FrameServerOptions } from '../tcp/frame-server';
import type { TransportOptionsInput } from '../transport-options';
import { createMemoryStreamPair, MemoryByteStream } from './memory-byte-stream';

/** A FrameServer whose `listen` registers it on a MemoryNetwork instead of binding a TCP port. */
class MemoryListener extends FrameServer {
  private bound: AddressInfo | undefined;

  constructor(
    private readonly network: MemoryNetwork,
    options: FrameServerOptions,
  ) {
    super(options);
  }

  override listen(port = 0): Promise<AddressInfo> {
    this.bound = { address: 'memory', family: 'memory', port: this.network.bind(this, port) };
    return Promise.resolve(this.bound);
  }

  override address(): AddressInfo {
    if (!this.bound) throw new Error('memory listener is not listening: call listen() first');
    return this.bound;
  }

  override async close(graceMs?: number): Promise<void> {
    if (this.bound) this.network.unbind(this.bound.port);
    await super.close(graceMs);
  }
}

/**
 * A private network in memory: `listener` and `dialer` go where an RpcServer and a Channel take their
 * transport (`createServer({ listener })`, `createChannel({ port, dialer })`), and connect to each other
 * by port without sockets. Frames, prefaces, flow control and GOAWAY are the real ones, byte for byte;
 * only the socket is replaced, so call logic runs fast and deterministically.
 */
export class MemoryNetwork {
  private readonly bound = new Map<number, MemoryListener>();
  private nextPort = 1;

  /** Makes a listener on this network (for `RpcServer`'s `listener` option). */
  readonly listener: FrameListenerFactory<FrameServerOptions> = (options) => new MemoryListener(this, options);

  /** Makes a dialer on this network (for a channel's `dialer` option): it connects to the listener on `options.port`. */
  readonly dialer: FrameDialerFactory = (options) => new FrameClient({ ...options, connectStream: () => this.connect(options.port) });

  /** @internal */
  bind(listener: MemoryListener, port: number): number {
    const chosen = port === 0 ? this.nextPort++ : port;
    if (this.bound.has(chosen)) throw new Error(`memory port ${chosen} is in use`);
    this.bound.set(chosen, listener);
    return chosen;
  }

  /** @internal */
  unbind(port: number): void {
    this.bound.delete(port);
  }

  /** Opens a stream to the listener on `port`: it emits 'connect', or 'error' when nothing listens there. */
  connect(port: number): MemoryByteStream {
    const [near, far] = createMemoryStreamPair();
    const listener = this.bound.get(port);
    setImmediate(() => {
      if (!listener) {
        near.destroy(new Error(`connect ECONNREFUSED memory:${port}`));
        return;
      }
      listener.acceptStream(far);
      near.emit('connect');
    });
    return near;
  }
}

/** Both ends of one in-memory framed connection, and a way to close them. */
export interface MemoryTransportPair {
  /** The dialing end (id 0, as a client's). */
  readonly client: FrameTransport;
  /** The accepting end (id 1, as a server's first connection). */
  readonly server: FrameTransport;
  /** Closes both ends and resolves when they have closed. */
  close(): Promise<void>;
}

/**
 * One connected pair of framed connections in memory, after a real preface exchange: for tests of
 * anything that runs over a FrameTransport. Both ends already read; give each its sink with `start(sink)`.
 */
export async function createMemoryTransportPair(options: { client?: TransportOptionsInput; server?: FrameServerOptions } = {}): Promise<MemoryTransportPair> {
  const network = new MemoryNetwork();
  const listener = network.listener(options.server ?? {});
  const { port } = await listener.listen();
  const accepted = new Promise<FrameTransport>((resolve) => listener.once('connection', resolve));
  const dialer = network.dialer({ ...options.client, port, reconnect: false });
  const [client, server] = await Promise.all([dialer.connect(), accepted]);
  return {
    client,
    server,
    async close() {
      dialer.close();
      await listener.close(0);
    },
  };
}
