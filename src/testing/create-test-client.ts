// For users' own tests: a server with one service and a typed client to it over loopback, closed by one call.
import type { Channel } from '../client/channel';
import { createChannel } from '../client/channel';
import type { ChannelOptions } from '../client/channel-options';
import { createClient, type Client } from '../client/create-client';
import { RpcServer, type RpcServerConstructorOptions } from '../server/rpc-server';
import type { ServiceImplementation } from '../service/handler-types';
import type { ServiceDefinition } from '../service/service-definition';
import { serviceBindingOf, type HandlerClass } from '../service/service-metadata';
import { ErrorCode, FramerpcError } from '../errors';

export interface TestClientOptions {
  /** Options of the server (interceptors, limits, `resolver` for your DI container). Default none. */
  server?: RpcServerConstructorOptions;
  /** Options of the client's channel (interceptors, limits); host and port are chosen here. Default none. */
  channel?: Omit<ChannelOptions, 'host' | 'port'>;
  /** Serve only the methods the implementation has; the others answer UNIMPLEMENTED. Default false. */
  partial?: boolean;
}

/** A running service and a connected client of it. */
export interface TestClient<D extends ServiceDefinition> {
  readonly client: Client<D>;
  readonly server: RpcServer;
  readonly channel: Channel;
  /** Closes the channel and the server (calls still in flight are cut off). */
  close(): Promise<void>;
}

/**
 * Serves `implementation` (a plain object, or a class decorated with `@RpcService(definition)`) on
 * 127.0.0.1 at a port the system picks, and connects a typed client to it:
 * `const t = await createTestClient(EchoServiceDefinition, EchoHandler); await t.client.echo({ text: 'hi' }); await t.close();`
 * The calls go through the real protocol and socket, so what passes here passes against a real server.
 * A plain object must implement every method, unless `{ partial: true }`.
 */
export function createTestClient<D extends ServiceDefinition>(
  definition: D,
  implementation: ServiceImplementation<D> | HandlerClass,
  options?: TestClientOptions & { partial?: false },
): Promise<TestClient<D>>;
export function createTestClient<D extends ServiceDefinition>(definition: D, implementation: Partial<ServiceImplementation<D>>, options: TestClientOptions & { partial: true }): Promise<TestClient<D>>;
export async function createTestClient<D extends ServiceDefinition>(
  definition: D,
  implementation: Partial<ServiceImplementation<D>> | HandlerClass,
  options: TestClientOptions = {},
): Promise<TestClient<D>> {
  const bound = typeof implementation === 'function' ? serviceBindingOf(implementation)?.definition : undefined;
  if (bound && bound !== definition) {
    throw new FramerpcError(
      ErrorCode.DEFINITION_MISMATCH,
      `${(implementation as HandlerClass).name} is decorated with @RpcService(${bound.fullName}), not ${definition.fullName}; pass the definition it serves`,
    );
  }
  const server = new RpcServer(options.server);
  if (typeof implementation === 'function') {
    server.add(implementation);
  } else if (options.partial) {
    server.addService(definition, implementation, { partial: true });
  } else {
    server.addService(definition, implementation as ServiceImplementation<D>);
  }
  const { port } = await server.listen(0, '127.0.0.1');
  const channel = createChannel({ ...options.channel, host: '127.0.0.1', port });
  try {
    await channel.connect();
  } catch (error) {
    channel.close();
    await server.close(0);
    throw error;
  }
  return {
    client: createClient(definition, channel),
    server,
    channel,
    async close() {
      channel.close();
      await server.close(0);
    },
  };
}
