// The RPC server: a FrameServer whose connections each get a Dispatcher over the shared method table.
import { EventEmitter } from 'node:events';
import type { ServiceImplementation } from '../service/handler-types';
import { MethodRegistry } from '../service/method-registry';
import type { ServiceDefinition } from '../service/service-definition';
import { decoratedHandlerClasses, serviceBindingOf, type HandlerClass, type HandlerResolver } from '../service/service-metadata';
import { diagnostics } from '../rpc/diagnostic-channels';
import type { CloseInfo } from '../transport/close-info';
import { tcpListener, type FrameServerOptions } from '../transport/default-transport';
import type { FrameListener, FrameListenerFactory, ListenAddress, FrameTransport as FrameConnection } from '../transport/frame-transport';
import { CloseCode } from '../codec/wire';
import { Dispatcher, type ConnectionEvents } from './dispatcher';
import type { ServerLog } from './logger';
import type { ServerInterceptor } from './server-interceptor';
import { checkWindowFitsMessages, defaultConnectionWindow } from '../transport/window-sizing';
import { resolveServerCallOptions, type ResolvedServerCallOptions, type RpcServerOptions } from './server-options';
import { ErrorCode, FramerpcError } from '../errors';

export interface RpcServerConstructorOptions extends RpcServerOptions {
  /**
   * Builds the handler classes given to `add()`. Default: the resolver their decorator names (`@RpcService`:
   * tsyringe's root container, from src/di); pass `tsyringeResolver(container)` for a container of your own.
   */
  resolver?: HandlerResolver;
  /** Makes the transport the server accepts connections on (an in-memory network's `listener` in tests, say). Default TCP, or TLS with `tls`. */
  listener?: FrameListenerFactory<FrameServerOptions>;
}

export interface AddServiceOptions {
  /** Serve only the methods given; the others answer UNIMPLEMENTED. Must be true (omit the options otherwise). */
  partial: true;
}

export interface RpcServerEvents {
  /** A client connected (after the handshake). */
  connection: [connection: FrameConnection];
  /** A client's connection closed, with why. */
  disconnect: [connection: FrameConnection, info: CloseInfo];
  /** A client announced it is going away (it sent GOAWAY); its calls in flight may still finish. */
  goaway: [connection: FrameConnection, info: CloseInfo];
  /** close() was called: the graceful shutdown begins (before any GOAWAY is sent). Emitted once. */
  closing: [];
}

/** Close codes that mean the peer misbehaved (logged, rate-limited per peer). */
const PEER_FAULTS = new Set<number>([CloseCode.PROTOCOL_ERROR, CloseCode.FRAME_TOO_LARGE, CloseCode.COMPRESSION_ERROR, CloseCode.TOO_MANY_PINGS, CloseCode.RAPID_RESET, CloseCode.FLOW_CONTROL_ERROR]);

const closeCodeNames = Object.fromEntries(Object.entries(CloseCode).map(([name, code]) => [code, name])) as Record<number, string>;
function closeCodeName(code: number): string {
  return closeCodeNames[code] ?? `CLOSE_${code}`;
}

/** Serves registered services to framerpc clients. */
export class RpcServer extends EventEmitter<RpcServerEvents> {
  readonly transport: FrameListener;
  readonly registry = new MethodRegistry();
  private readonly callOptions: ResolvedServerCallOptions;
  private readonly resolver: HandlerResolver | undefined;
  private closeStarted = false;

  constructor(options: RpcServerConstructorOptions = {}) {
    super();
    const {
      resolver,
      listener = tcpListener,
      maxConcurrentCalls,
      maxRequestBytes,
      maxResponseBytes,
      interceptors,
      logger,
      logRateLimit,
      maxConcurrentHandlers,
      maxHeldBytes,
      memoryWaitMs,
      maxCancelsPerSecond,
      cancelBurst,
      ...transport
    } = options;
    // The call options are read from `options` by name; the destructuring above keeps them out of the transport's.
    this.callOptions = resolveServerCallOptions(options);
    this.resolver = resolver;
    const connectionWindowBytes = transport.connectionWindowBytes ?? defaultConnectionWindow(this.callOptions.maxRequestBytes);
    checkWindowFitsMessages(connectionWindowBytes, this.callOptions.maxRequestBytes, 'server');
    this.transport = listener({ ...transport, connectionWindowBytes, memoryBudget: this.callOptions.memoryBudget });
    this.transport.on('rejected', (rejected) => {
      if (rejected.code !== CloseCode.HANDSHAKE_FAILED && rejected.code !== CloseCode.TIMEOUT) return; // refusals by policy (full, closing) are not the peer's fault
      this.callOptions.log.warn(`framerpc: refused a connection: ${rejected.reason}`, { code: closeCodeName(rejected.code), peer: rejected.remoteAddress }, `${rejected.remoteAddress}\nhandshake`);
    });
    // Told by each connection's dispatcher: one object for the server, no listeners (and closures) per connection.
    const connectionEvents: ConnectionEvents = {
      closed: (connection, info) => {
        if (!info.remote && PEER_FAULTS.has(info.code)) this.logPeerFault(connection, info);
        this.emit('disconnect', connection, info);
        if (diagnostics.serverDisconnect.hasSubscribers) diagnostics.serverDisconnect.publish({ server: this, connection, info });
      },
      goaway: (connection, info) => {
        this.emit('goaway', connection, info);
        if (diagnostics.serverGoaway.hasSubscribers) diagnostics.serverGoaway.publish({ server: this, connection, info });
      },
    };
    this.transport.on('connection', (connection) => {
      connection.pauseOnOwnBacklog = false; // RPC messages are flow-controlled instead
      connection.start(new Dispatcher(connection, this.registry, this.callOptions, connectionEvents));
      this.emit('connection', connection);
      if (diagnostics.serverConnection.hasSubscribers) diagnostics.serverConnection.publish({ server: this, connection });
    });
  }

  /**
   * The server's structured log (the `logger` option behind a per-peer rate limit): handler errors, protocol
   * violations, slow consumers. Handlers and plugins may write to it too.
   */
  get log(): ServerLog {
    return this.callOptions.log;
  }

  private logPeerFault(connection: FrameConnection, info: CloseInfo): void {
    const peer = `${connection.remoteAddress}:${connection.remotePort}`;
    this.callOptions.log.warn(
      `framerpc: closed the connection of a peer that broke the protocol: ${info.reason}`,
      {
        code: closeCodeName(info.code),
        peer,
        connectionId: connection.id,
      },
      `${connection.remoteAddress}\nprotocol`,
    );
  }

  /** Registers handler classes decorated with @RpcService; the DI container builds them. */
  add(...handlerClasses: HandlerClass[]): this {
    for (const handlerClass of handlerClasses) {
      const binding = serviceBindingOf(handlerClass);
      if (!binding) {
        throw new FramerpcError(
          ErrorCode.HANDLER_NOT_DECORATED,
          `${handlerClass.name} is not decorated with @RpcService(Definition); decorate it, or register a plain object with server.addService(definition, implementation)`,
        );
      }
      const provider = (this.resolver ?? binding.resolver).provider(handlerClass, binding.lifetime);
      this.registry.add(binding.definition, handlerClass.name, handlerClass.prototype as object, provider, binding.partial);
    }
    return this;
  }

  /** Registers every class decorated with @RpcService so far (import their modules first). */
  addAllDecorated(): this {
    return this.add(...decoratedHandlerClasses());
  }

  /**
   * Registers a plain object implementing `definition`, without DI. Every method is required (checked at
   * compile time and here), unless `{ partial: true }`: then the methods left out answer UNIMPLEMENTED.
   */
  addService<D extends ServiceDefinition>(definition: D, implementation: ServiceImplementation<D>): this;
  addService<D extends ServiceDefinition>(definition: D, implementation: Partial<ServiceImplementation<D>>, options: AddServiceOptions): this;
  addService<D extends ServiceDefinition>(definition: D, implementation: Partial<ServiceImplementation<D>>, options?: AddServiceOptions): this {
    this.registry.add(definition, definition.name, implementation, () => implementation, options?.partial === true);
    return this;
  }

  /**
   * Adds a server interceptor: by default after those already there; `'first'` makes it the outermost, as
   * instrumentation wants (to see calls that an auth interceptor refuses).
   */
  use(interceptor: ServerInterceptor, position: 'last' | 'first' = 'last'): this {
    if (position === 'first') this.callOptions.interceptors.unshift(interceptor);
    else this.callOptions.interceptors.push(interceptor);
    return this;
  }

  /** Starts listening (port 0 picks a free port); resolves with the bound address. */
  listen(port = 0, host = '127.0.0.1'): Promise<ListenAddress> {
    return this.transport.listen(port, host);
  }

  get port(): number {
    return this.transport.address().port;
  }

  /** The open connection with this id (CallContext.connectionId), if any: what push needs to reach it. */
  connection(connectionId: number): FrameConnection | undefined {
    return this.transport.connections.get(connectionId);
  }

  /** The transport's bound on one connection's unsent outbound bytes (option maxOutboundBytes). */
  get maxOutboundBytes(): number {
    return this.transport.options.maxOutboundBytes;
  }

  /** Stops accepting, lets calls in flight finish for up to `graceMs` (default 5000), then closes. */
  close(graceMs?: number): Promise<void> {
    if (!this.closeStarted) {
      this.closeStarted = true;
      this.emit('closing');
      if (diagnostics.serverClosing.hasSubscribers) diagnostics.serverClosing.publish({ server: this });
    }
    return this.transport.close(graceMs);
  }
}
