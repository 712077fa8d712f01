// A method as a client calls it: its path pre-encoded once, so no call re-encodes it, its request normalizer and response decoder.
import { requestNormalizer, type RequestNormalizer } from './request-normalizer';
import { callKindOf, methodPath, type CallKind, type MethodDefinition, type ServiceDefinition } from '../service/service-definition';
import { ErrorCode, FramerpcArgumentError } from '../errors';
import { messageDecoder, type MessageDecoder } from '../rpc/message-decoder';

export interface PreparedMethod {
  readonly path: string;
  readonly pathBytes: Buffer;
  readonly kind: CallKind;
  readonly definition: MethodDefinition;
  /** The caller's (DeepPartial) request as a complete message; throws INVALID_ARGUMENT on an unknown field. */
  readonly normalizeRequest: RequestNormalizer;
  /** Decodes a response message in place (messageDecoder of the response type). */
  readonly decodeResponse: MessageDecoder<unknown>;
}

export function prepareMethod(service: ServiceDefinition, definition: MethodDefinition): PreparedMethod {
  const path = methodPath(service, definition);
  const pathBytes = Buffer.from(path, 'latin1');
  if (pathBytes.length > 255) throw new FramerpcArgumentError(ErrorCode.METHOD_PATH_TOO_LONG, `method path ${path} is longer than 255 bytes; shorten the package, service or method name`);
  return { path, pathBytes, kind: callKindOf(definition), definition, normalizeRequest: requestNormalizer(definition.requestType), decodeResponse: messageDecoder(definition.responseType) };
}
