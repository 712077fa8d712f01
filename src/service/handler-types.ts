// Handler method types derived from a service definition: a missing or mistyped method fails to compile.
import type { CallContext } from '../server/call-context';
import type { MethodDefinition, RequestOf, ResponseOf, ServiceDefinition } from './service-definition';

type MaybePromise<T> = T | Promise<T>;

/** The handler of one method, by call kind. */
export type MethodHandler<M extends MethodDefinition> = M['requestStream'] extends true
  ? M['responseStream'] extends true
    ? (requests: AsyncIterable<RequestOf<M>>, context: CallContext) => AsyncIterable<ResponseOf<M>>
    : (requests: AsyncIterable<RequestOf<M>>, context: CallContext) => MaybePromise<ResponseOf<M>>
  : M['responseStream'] extends true
    ? (request: RequestOf<M>, context: CallContext) => AsyncIterable<ResponseOf<M>>
    : (request: RequestOf<M>, context: CallContext) => MaybePromise<ResponseOf<M>>;

/** Every method of a service, typed from its definition (keys are ts-proto's lowerCamel method keys). */
export type ServiceImplementation<D extends ServiceDefinition> = {
  [K in keyof D['methods']]: MethodHandler<D['methods'][K]>;
};
