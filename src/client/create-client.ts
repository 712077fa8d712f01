// The typed client: one method per method of the service definition, typed from the .proto.
import type { MethodDefinition, PartialRequestOf, ResponseOf, ServiceDefinition } from '../service/service-definition';
import type { CallOptions } from './call-options';
import { restack, rethrowRestacked } from './caller-stack';
import { callForResponse as respond, callForStream as stream } from './call-runner';
import type { CallChannel as Channel } from './call-channel';
import { inheritParent } from './parent-call';
import { prepareMethod, type PreparedMethod } from './prepared-method';

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
  const merge = (options: CallOptions | undefined): CallOptions | undefined => inheritParent(defaults ? { ...defaults, ...options } : options);
  const keepStack = channel.options.captureCallerStack;
  const retry = channel.retry;
  for (const [key, method] of Object.entries(definition.methods)) {
    const prepared = prepareMethod(definition, method);
    let call: (input: unknown, options?: CallOptions) => unknown;
    // Unary and server-streaming calls run under the channel's retry policy, if it has one.
    const callForResponse =
      retry && !method.requestStream
        ? (on: Channel, m: PreparedMethod, input: unknown, options: CallOptions | undefined) => retry.response(m, options, (attempt) => respond(on, m, input, attempt))
        : respond;
    const callForStream =
      retry && !method.requestStream
        ? (on: Channel, m: PreparedMethod, input: unknown, options: CallOptions | undefined) => retry.stream(m, options, (attempt) => stream(on, m, input, attempt))
        : stream;
    if (method.responseStream) {
      call = keepStack
        ? (input: unknown, options?: CallOptions): AsyncIterable<unknown> => restackingStream(callForStream(channel, prepared, input, merge(options)))
        : (input: unknown, options?: CallOptions): AsyncIterable<unknown> => callForStream(channel, prepared, input, merge(options));
    } else {
      call = keepStack
        ? (input: unknown, options?: CallOptions): Promise<unknown> => {
            let response: Promise<unknown>;
            try {
              response = callForResponse(channel, prepared, input, merge(options));
            } catch (error) {
              return Promise.reject(restack(error)); // as the async function this replaces would
            }
            return response.then(undefined, rethrowRestacked);
          }
        : (input: unknown, options?: CallOptions): Promise<unknown> => callForResponse(channel, prepared, input, merge(options));
    }
    client[key] = method.requestStream || method.responseStream ? observedStreams(channel, prepared, call) : call;
  }
  return Object.freeze(client) as Client<D>;
}

/**
 * A streaming method that tells the channel's stream observers (instrumentation) of each request and response
 * stream message; without observers it costs one length check per call. Unary methods are never wrapped.
 */
function observedStreams(channel: Channel, method: PreparedMethod, call: (input: unknown, options?: CallOptions) => unknown): (input: unknown, options?: CallOptions) => unknown {
  const { requestStream, responseStream } = method.definition;
  return (input, options) => {
    const observers = channel.streamObservers;
    if (observers.length === 0) return call(input, options);
    const path = method.path;
    if (requestStream) input = eachItem(input as AsyncIterable<unknown>, () => observers.forEach((observer) => observer.messageSent(path)));
    const result = call(input, options);
    return responseStream ? eachItem(result as AsyncIterable<unknown>, () => observers.forEach((observer) => observer.messageReceived(path))) : result;
  };
}

/** `source`, calling `onItem` as each item is pulled. */
function eachItem<T>(source: AsyncIterable<T>, onItem: () => void): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const iterator = source[Symbol.asyncIterator]();
      return {
        async next() {
          const step = await iterator.next();
          if (!step.done) onItem();
          return step;
        },
        return: async (value?: unknown) => (await iterator.return?.(value)) ?? { done: true, value: undefined },
      };
    },
  };
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
