// The RPC server: a FrameServer whose connections each get a Dispatcher over the shared method table.
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { tsyringeResolver, type HandlerResolver } from '../di/handler-resolver';
import type { ServiceImplementation } from '../service/handler-types';
import { MethodRegistry } from '../service/method-registry';
import type { ServiceDefinition } from '../service/service-definition';
import { decoratedHandlerClasses, serviceBindingOf, type HandlerClass } from '../service/service-metadata';
import type { FrameConnection } from '../transport/frame-connection';
import { FrameServer } from '../transport/frame-server';
import { Dispatcher } from './dispatcher';
import type { ServerInterceptor } from './server-interceptor';
import { checkWindowFitsMessages, defaultConnectionWindow } from '../transport/window-sizing';
import { resolveServerCallOptions, type ResolvedServerCallOptions, type RpcServerOptions } from './server-options';

export interface RpcServerConstructorOptions extends RpcServerOptions {
  /** Builds decorated handler classes. Default: tsyringe's root container. */
  resolver?: HandlerResolver;
}

export interface AddServiceOptions {
  /** Serve only the methods given; the others answer UNIMPLEMENTED. Must be true (omit the options otherwise). */
  partial: true;
}

export interface RpcServerEvents {
  /** A client connected (after the handshake). */
  connection: [connection: FrameConnection];
  /** A client's connection closed. */
  disconnect: [connection: FrameConnection];
}

/** Serves registered services to framerpc clients. */
export class RpcServer extends EventEmitter<RpcServerEvents> {
  readonly transport: FrameServer;
  readonly registry = new MethodRegistry();
  private readonly callOptions: ResolvedServerCallOptions;
  private readonly resolver: HandlerResolver;

  constructor(options: RpcServerConstructorOptions = {}) {
    super();
    const { resolver, maxConcurrentCalls, maxRequestBytes, maxResponseBytes, interceptors, logger, maxConcurrentHandlers, maxHeldBytes, memoryWaitMs, maxCancelsPerSecond, cancelBurst, ...transport } = options;
    this.callOptions = resolveServerCallOptions({ maxConcurrentCalls, maxRequestBytes, maxResponseBytes, interceptors, logger, maxConcurrentHandlers, maxHeldBytes, memoryWaitMs, maxCancelsPerSecond, cancelBurst });
    this.resolver = resolver ?? tsyringeResolver();
    const connectionWindowBytes = transport.connectionWindowBytes ?? defaultConnectionWindow(this.callOptions.maxRequestBytes);
    checkWindowFitsMessages(connectionWindowBytes, this.callOptions.maxRequestBytes, 'server');
    this.transport = new FrameServer({ ...transport, connectionWindowBytes, memoryBudget: this.callOptions.memoryBudget });
    this.transport.on('connection', (connection) => {
      connection.pauseOnOwnBacklog = false; // RPC messages are flow-controlled instead
      connection.start(new Dispatcher(connection, this.registry, this.callOptions));
      connection.once('close', () => this.emit('disconnect', connection));
      this.emit('connection', connection);
    });
  }

  /** Registers handler classes decorated with @RpcService; the DI container builds them. */
  add(...handlerClasses: HandlerClass[]): this {
    for (const handlerClass of handlerClasses) {
      const binding = serviceBindingOf(handlerClass);
      if (!binding) {
        throw new Error(`${handlerClass.name} is not decorated with @RpcService(Definition); decorate it, or register a plain object with server.addService(definition, implementation)`);
      }
      const provider = this.resolver.provider(handlerClass, binding.lifetime);
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

  /** Adds a server interceptor (runs after those given in the options). */
  use(interceptor: ServerInterceptor): this {
    this.callOptions.interceptors.push(interceptor);
    return this;
  }

  /** Starts listening (port 0 picks a free port); resolves with the bound address. */
  listen(port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
    return this.transport.listen(port, host);
  }

  get port(): number {
    return this.transport.address().port;
  }

  /** Stops accepting, lets calls in flight finish for up to `graceMs` (default 5000), then closes. */
  close(graceMs?: number): Promise<void> {
    return this.transport.close(graceMs);
  }
}
