// Handler method types derived from a service definition: a missing or mistyped method fails to compile.
import type { CallContext } from './call-context';
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

/** The method keys of D that `I` lacks. */
type MissingMethods<I, D extends ServiceDefinition> = Exclude<keyof D['methods'], keyof I>;

/** The method keys of D that `I` has with the wrong type (request, response or call kind). */
type MistypedMethods<I, D extends ServiceDefinition> = {
  [K in keyof D['methods'] & keyof I]: I[K] extends MethodHandler<D['methods'][K]> ? never : K;
}[keyof D['methods'] & keyof I];

/**
 * `unknown` when instances `I` implement D (only the methods they have, with `Partial` true), else a string
 * literal naming the problem: `"missing method: fail"`, `"mistyped method: sleep (...)"`. The decorator
 * intersects its parameter with it, so the compile error names the methods instead of a wall of types.
 */
export type HandlerProblems<I, D extends ServiceDefinition, Partial extends boolean = false> = [Partial extends true ? never : MissingMethods<I, D>] extends [never]
  ? [MistypedMethods<I, D>] extends [never]
    ? unknown
    : `mistyped method: ${MistypedMethods<I, D> & string} (its request, response or call kind differs from ${D['fullName']})`
  : `missing method: ${MissingMethods<I, D> & string}`;
