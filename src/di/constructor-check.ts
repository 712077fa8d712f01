// Checks, when a handler class is registered, that tsyringe knows what to pass to its constructor.
import type { DependencyContainer } from 'tsyringe';
import type { HandlerClass } from '../service/service-metadata';
import { ErrorCode, FramerpcError } from '../errors';

/** The metadata tsyringe reads: TypeScript's emitted parameter types and its own @inject tokens. */
interface MetadataReader {
  getMetadata?(key: string, target: object): unknown;
  getOwnMetadata?(key: string, target: object): unknown;
}

const PARAM_TYPES = 'design:paramtypes';
/** The key under which tsyringe's @inject() records tokens by parameter index. */
const INJECTION_TOKENS = 'injectionTokens';

/**
 * Throws, naming the fix, when `handlerClass` takes constructor parameters whose types tsyringe cannot
 * know: TypeScript emits them only with `emitDecoratorMetadata` (tsx and esbuild never do), and without
 * them every call would fail later with UNKNOWN. A class the container has a registration for (a factory,
 * a value) is left to the container.
 */
export function checkConstructible(handlerClass: HandlerClass, container: DependencyContainer): void {
  const arity = handlerClass.length;
  if (arity === 0) return;
  if (container.isRegistered(handlerClass as unknown as new () => object, true)) return;
  const reader = Reflect as unknown as MetadataReader;
  const types = reader.getMetadata?.(PARAM_TYPES, handlerClass) as unknown[] | undefined;
  const tokens = (reader.getOwnMetadata?.(INJECTION_TOKENS, handlerClass) ?? {}) as Record<number, unknown>;
  const unknownAt: number[] = [];
  for (let index = 0; index < arity; index++) {
    if (types?.[index] === undefined && tokens[index] === undefined) unknownAt.push(index);
  }
  if (unknownAt.length === 0) return;
  throw new FramerpcError(
    ErrorCode.HANDLER_NOT_CONSTRUCTIBLE,
    `${handlerClass.name} takes ${arity} constructor parameter(s) but the type of parameter(s) ${unknownAt.join(', ')} is not known, ` +
      'so tsyringe cannot build it: enable "emitDecoratorMetadata" and "experimentalDecorators" in tsconfig.json and compile with tsc ' +
      '(tsx and esbuild do not emit decorator metadata), inject each parameter with @inject(token), or register the handler ' +
      `explicitly (container.register(${handlerClass.name}, { useFactory: () => new ${handlerClass.name}(...) }))`,
  );
}
