// An event service (a .proto service whose methods are push topics) read from its ts-proto definition.
import { methodPath, type MessageCodec, type RequestOf, type ServiceDefinition } from '../service/service-definition';
import { PushError, PushErrorCode } from './push-error';
import { isValidTopic } from './push-wire';

/** One topic of an event service: the method it comes from, its wire path and its message codec. */
export interface EventTopic {
  /** The method's key in the definition (ts-proto lowerCamel): "messagePosted". */
  readonly key: string;
  /** The topic path on the wire: "/chat.v1.ChatEvents/MessagePosted". */
  readonly path: string;
  /** The path's ASCII bytes, written into every PUSH payload of this topic. */
  readonly pathBytes: Buffer;
  /** Encodes and decodes the pushed message (the method's request type). */
  readonly codec: MessageCodec<unknown>;
}

/** The typed message of each event of service D, by method key. */
export type EventMessages<D extends ServiceDefinition> = {
  [K in keyof D['methods']]: RequestOf<D['methods'][K]>;
};

const cache = new WeakMap<ServiceDefinition, readonly EventTopic[]>();

/**
 * The topics of event service `definition`, one per method. Every method must be unary (a push is one
 * message; streaming methods make no sense as topics) and its path a valid topic (at most 255 bytes).
 */
export function eventTopicsOf(definition: ServiceDefinition): readonly EventTopic[] {
  const cached = cache.get(definition);
  if (cached) return cached;
  const topics: EventTopic[] = [];
  for (const [key, method] of Object.entries(definition.methods)) {
    const path = methodPath(definition, method);
    if (method.requestStream || method.responseStream) {
      throw new PushError(PushErrorCode.BAD_EVENT_SERVICE, `event method ${path} is streaming; declare push events as unary methods (rpc ${method.name}(Event) returns (framerpc.push.v1.PushAck))`);
    }
    if (!isValidTopic(path)) {
      throw new PushError(
        PushErrorCode.BAD_EVENT_SERVICE,
        `event method path ${JSON.stringify(path)} cannot be a topic: it must be printable ASCII of at most 255 bytes; shorten the package or method name`,
      );
    }
    topics.push({ key, path, pathBytes: Buffer.from(path, 'latin1'), codec: method.requestType as MessageCodec<unknown> });
  }
  const frozen = Object.freeze(topics);
  cache.set(definition, frozen);
  return frozen;
}
