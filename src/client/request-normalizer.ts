// Turns what a caller passed (a DeepPartial request) into a complete message, rejecting unknown fields.
import { RpcError } from '../rpc/rpc-error';
import { Status } from '../rpc/status';
import type { MessageCodec } from '../service/service-definition';

/** A request type with ts-proto's `fromPartial` (every generated message has one). */
interface PartialCodec {
  fromPartial(object: unknown): unknown;
}

/** Fills in a request's defaults; throws INVALID_ARGUMENT naming an unknown field. */
export type RequestNormalizer = (request: unknown) => unknown;

const passThrough: RequestNormalizer = (request) => request;

/**
 * The normalizer of `codec`'s messages. With ts-proto's `fromPartial`: a complete, flat message (every
 * field with a default set, none unknown, no nested message) is used as it is, so the common case costs
 * one pass over its keys and no copy; anything else goes through `fromPartial` (defaults filled in, nested messages
 * too), after checking that every field given, at any depth, is one the message has. Codecs without
 * `fromPartial` (protobufjs types) get the request unchanged.
 */
export function requestNormalizer(codec: MessageCodec<unknown>): RequestNormalizer {
  const partialCodec = codec as MessageCodec<unknown> & Partial<PartialCodec>;
  if (typeof partialCodec.fromPartial !== 'function') return passThrough;
  const complete = partialCodec.fromPartial({}) as Record<string, unknown>;
  const fields = new Set(Object.keys(complete));
  // Fields whose default is not undefined (optional fields, message fields and oneofs may stay unset).
  const needed = new Set(Object.keys(complete).filter((key) => complete[key] !== undefined));
  return (request) => {
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      throw new RpcError(Status.INVALID_ARGUMENT, `a request must be a message object, got ${describe(request)}`);
    }
    let seen = 0;
    for (const key in request) {
      if (!fields.has(key)) throw unknownField(key);
      const value = (request as Record<string, unknown>)[key];
      if (value === undefined) {
        if (!needed.has(key)) continue;
        seen = -1;
        break;
      }
      if (holdsMessage(value)) {
        seen = -1;
        break;
      }
      if (needed.has(key)) seen++;
    }
    if (seen === needed.size) return request;
    // Looked up per call, not captured, so it stays the codec's own method (and can be observed in tests).
    const normalized = (partialCodec as PartialCodec).fromPartial(request);
    checkKnown(request as Record<string, unknown>, normalized as Record<string, unknown>, '');
    return normalized;
  };
}

/** A plain object (a nested message or map), or an array starting with one: it may be partial. */
function holdsMessage(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0 && isPlainObject(value[0]);
  return isPlainObject(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Every key of `given` exists in `normalized` (fromPartial's complete copy), recursively. */
function checkKnown(given: Record<string, unknown>, normalized: Record<string, unknown>, path: string): void {
  for (const key in given) {
    if (!(key in normalized)) throw unknownField(path + key);
    const value = given[key];
    const copy = normalized[key];
    if (Array.isArray(value) && Array.isArray(copy)) {
      value.forEach((item, index) => {
        if (isPlainObject(item) && isPlainObject(copy[index])) checkKnown(item, copy[index] as Record<string, unknown>, `${path}${key}[${index}].`);
      });
    } else if (isPlainObject(value) && isPlainObject(copy)) {
      checkKnown(value, copy, `${path}${key}.`);
    }
  }
}

function unknownField(path: string): RpcError {
  return new RpcError(Status.INVALID_ARGUMENT, `the request has no field ${JSON.stringify(path)} (a typo, or a field of another message?)`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
