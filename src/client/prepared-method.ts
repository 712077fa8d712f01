// A method as a client calls it: its path pre-encoded once, so no call re-encodes it.
import { callKindOf, methodPath, type CallKind, type MethodDefinition, type ServiceDefinition } from '../service/service-definition';

export interface PreparedMethod {
  readonly path: string;
  readonly pathBytes: Buffer;
  readonly kind: CallKind;
  readonly definition: MethodDefinition;
}

export function prepareMethod(service: ServiceDefinition, definition: MethodDefinition): PreparedMethod {
  const path = methodPath(service, definition);
  const pathBytes = Buffer.from(path, 'latin1');
  if (pathBytes.length > 255) throw new TypeError(`method path ${path} is longer than 255 bytes`);
  return { path, pathBytes, kind: callKindOf(definition), definition };
}
