// The typed client: one method per method of the service definition, typed from the .proto.
import type { MethodDefinition, PartialRequestOf, ResponseOf, ServiceDefinition } from '../service/service-definition';
import type { CallOptions } from './call-options';
import { restack } from './caller-stack';
import { callForResponse, callForStream } from './call-runner';
import type { Channel } from './channel';
import { prepareMethod } from './prepared-method';

/**
 * A client method, by call kind: unary -> Promise, server-streaming -> AsyncIterable, and so on. Requests
 * are DeepPartial: missing fields take their defaults; an unknown field fails the call with INVALID_ARGUMENT.
 */
export type ClientMethod<M extends MethodDefinition> = M['requestStream'] extends true
  ? M['responseStream'] extends true
    ? (requests: AsyncIterable<PartialRequestOf<M>>, options?: CallOptions) => AsyncIterable<ResponseOf<M>>
    : (requests: AsyncIterable<PartialRequestOf<M>>, options?: CallOptions) => Promise<ResponseOf<M>>
  : M['responseStream'] extends true
    ? (request: PartialRequestOf<M>, options?: CallOptions) => AsyncIterable<ResponseOf<M>>
    : (request: PartialRequestOf<M>, options?: CallOptions) => Promise<ResponseOf<M>>;

/** A client of service D: its methods keyed as in the definition (ts-proto: lowerCamel). */
export type Client<D extends ServiceDefinition> = {
  readonly [K in keyof D['methods']]: ClientMethod<D['methods'][K]>;
};

/**
 * Creates a typed client of `definition` on `channel`. Many clients (of many services) can share one
 * channel; all their calls are multiplexed on its connection. `defaults` apply to every call.
 */
export function createClient<D extends ServiceDefinition>(definition: D, channel: Channel, defaults?: CallOptions): Client<D> {
  const client: Record<string, unknown> = {};
  const merge = (options: CallOptions | undefined): CallOptions | undefined => (defaults ? { ...defaults, ...options } : options);
  const keepStack = channel.options.captureCallerStack;
  for (const [key, method] of Object.entries(definition.methods)) {
    const prepared = prepareMethod(definition, method);
    if (method.responseStream) {
      client[key] = keepStack
        ? (input: unknown, options?: CallOptions): AsyncIterable<unknown> => restackingStream(callForStream(channel, prepared, input, merge(options)))
        : (input: unknown, options?: CallOptions): AsyncIterable<unknown> => callForStream(channel, prepared, input, merge(options));
    } else {
      client[key] = keepStack
        ? async (input: unknown, options?: CallOptions): Promise<unknown> => {
            try {
              return await callForResponse(channel, prepared, input, merge(options));
            } catch (error) {
              throw restack(error);
            }
          }
        : (input: unknown, options?: CallOptions): Promise<unknown> => callForResponse(channel, prepared, input, merge(options));
    }
  }
  return Object.freeze(client) as Client<D>;
}

/**
 * Wraps a response stream (already started: calls begin when made, not when first read) so a failure
 * surfaces with the stack of the code iterating it.
 */
function restackingStream(stream: AsyncIterable<unknown>): AsyncIterable<unknown> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<unknown> {
      const iterator = stream[Symbol.asyncIterator]();
      return {
        async next() {
          try {
            return await iterator.next();
          } catch (error) {
            throw restack(error);
          }
        },
        return: async () => (await iterator.return?.()) ?? { value: undefined, done: true },
      };
    },
  };
}
