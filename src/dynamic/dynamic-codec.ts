// A MessageCodec over a protobufjs Type, whose objects look like ts-proto's for the same message.
import * as protobuf from 'protobufjs';
import type { MessageCodec } from '../service/service-definition';
import { DynamicProtoError, DynamicProtoErrorCode } from './dynamic-proto-error';
import { wellKnownShape } from './well-known-types';

/**
 * A message as the dynamic path sees it: a plain object with lowerCamel field names (as ts-proto writes them).
 * Typed `any`, as @grpc/proto-loader's are, because the shape is known only at run time; being `any` is also what lets
 * one definition type accept handlers and client calls of all four call kinds.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type DynamicMessage = any;

/**
 * How decoded messages are converted, chosen to match ts-proto as framerpc gen runs it (TS_PROTO_OPTIONS in src/cli/gen-command.ts:
 * forceLong=number, env=node, default numeric enums):
 * - longs: Number: 64-bit integers are numbers, like forceLong=number (unsafe above 2^53, as there).
 * - enums: left as numbers, like ts-proto's default (non-string) enums; encode likewise takes numbers.
 * - bytes: left as Node Buffers (decode hands protobufjs a Buffer), like env=node.
 * - defaults: true: absent scalars are 0 / "" / false / empty Buffer, repeated [] and maps {}, like createBase.
 * Absent singular message fields come back undefined (protobufjs says null), and unset oneof members are left out.
 * Well-known types take ts-proto's shapes (Timestamp as Date, Struct as JSON, wrappers as their value: see
 * well-known-types.ts), in both directions.
 */
const toObjectOptions: protobuf.IConversionOptions = { longs: Number, defaults: true };

/** @internal One codec per Type, so methods sharing a message share a codec. */
const codecs = new WeakMap<protobuf.Type, MessageCodec<DynamicMessage>>();

/** @internal The codec of `type` (which must be resolved, as after root.resolveAll()). */
export function dynamicCodec(type: protobuf.Type): MessageCodec<DynamicMessage> {
  let codec = codecs.get(type);
  if (!codec) {
    codec = {
      encode: (message) => type.encode(type.fromObject(checkMessage(type, toProtobufjsShape(type, message, '')))),
      decode: (input) => decodeMessage(type, input),
    };
    codecs.set(type, codec);
  }
  return codec;
}

/**
 * Rejects what ts-proto's types would reject at compile time, naming the field: wrong value types (protobufjs verify)
 * and keys that are not fields of the type (a typo would otherwise be dropped silently and the field sent empty).
 */
function checkMessage(type: protobuf.Type, message: unknown): DynamicMessage {
  const reason = type.verify(message as Record<string, unknown>) ?? unknownField(type, message as Record<string, unknown>, '');
  if (reason) throw new DynamicProtoError(DynamicProtoErrorCode.INVALID_MESSAGE, `invalid ${typeName(type)}: ${reason}`);
  return message as DynamicMessage;
}

function unknownField(type: protobuf.Type, message: Record<string, unknown>, prefix: string): string | null {
  for (const key of Object.keys(message)) {
    const field = type.fields[key];
    if (!field) {
      if (type.oneofs?.[key]) continue; // a virtual oneof name, as toObject({ oneofs: true }) writes it
      return `${prefix}${key}: ${typeName(type)} has no such field`;
    }
    const value = message[key];
    if (value == null || !(field.resolvedType instanceof protobuf.Type)) continue;
    // verify has already checked that repeated fields are arrays and maps objects
    const items = (field.repeated ? value : field.map ? Object.values(value as object) : [value]) as unknown[];
    for (const item of items) {
      const reason = item == null ? null : unknownField(field.resolvedType, item as Record<string, unknown>, `${prefix}${key}.`);
      if (reason) return reason;
    }
  }
  return null;
}

function decodeMessage(type: protobuf.Type, input: Uint8Array): DynamicMessage {
  // A Buffer makes protobufjs use its BufferReader, so bytes fields come out as Buffers (as ts-proto's env=node does).
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const object = type.toObject(type.decode(bytes), toObjectOptions);
  toTsProtoShape(type, object);
  return object;
}

/**
 * From protobufjs's toObject output to ts-proto's shapes, in place: absent singular message fields become undefined
 * (protobufjs says null under defaults: true), and well-known types take ts-proto's shapes.
 */
function toTsProtoShape(type: protobuf.Type, object: Record<string, unknown>): void {
  for (const field of type.fieldsArray) {
    const fieldType = field.resolvedType;
    if (!(fieldType instanceof protobuf.Type)) continue;
    const value = object[field.name];
    if (value === null) {
      object[field.name] = undefined;
      continue;
    }
    if (value === undefined) continue;
    const shape = wellKnownShape(fieldType);
    const convert = (item: unknown): unknown => {
      if (item == null) return undefined;
      if (shape) return shape.toTsProto(item as Record<string, unknown>, fieldType);
      toTsProtoShape(fieldType, item as Record<string, unknown>);
      return item;
    };
    if (field.map) {
      const entries: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        const converted = convert(item);
        if (converted !== undefined) entries[key] = converted; // as ts-proto, which keeps only entries with a value
      }
      object[field.name] = entries;
    } else if (field.repeated) {
      object[field.name] = (value as unknown[]).map(convert);
    } else {
      object[field.name] = convert(value);
    }
  }
}

/** Types whose messages hold a well-known type somewhere (so encoding must convert); others are encoded as given. */
const holdsWellKnown = new WeakMap<protobuf.Type, boolean>();

function reachesWellKnown(type: protobuf.Type): boolean {
  let found = holdsWellKnown.get(type);
  if (found === undefined) {
    found = false;
    const seen = new Set<protobuf.Type>([type]);
    const queue = [type];
    while (queue.length > 0 && !found) {
      for (const field of queue.pop()!.fieldsArray) {
        const fieldType = field.resolvedType;
        if (!(fieldType instanceof protobuf.Type) || seen.has(fieldType)) continue;
        if (wellKnownShape(fieldType)) found = true;
        seen.add(fieldType);
        queue.push(fieldType);
      }
    }
    holdsWellKnown.set(type, found);
  }
  return found;
}

/** From ts-proto's shapes to what protobufjs's fromObject takes; copies what it changes, never the caller's object. */
function toProtobufjsShape(type: protobuf.Type, message: unknown, prefix: string): unknown {
  if (typeof message !== 'object' || message === null || !reachesWellKnown(type)) return message; // verify judges the rest
  let copy: Record<string, unknown> | undefined;
  for (const field of type.fieldsArray) {
    const fieldType = field.resolvedType;
    const value = (message as Record<string, unknown>)[field.name];
    if (!(fieldType instanceof protobuf.Type)) continue;
    // null is a JSON value (NULL_VALUE) in a google.protobuf.Value field, as ts-proto's Value.wrap takes it
    const nullIsValue = fieldType.fullName === '.google.protobuf.Value';
    if (value === undefined || (value === null && !nullIsValue)) continue;
    const shape = wellKnownShape(fieldType);
    if (!shape && !reachesWellKnown(fieldType)) continue;
    const convert = (item: unknown, where: string): unknown => {
      if (!shape || (item == null && !nullIsValue)) return toProtobufjsShape(fieldType, item, `${where}.`);
      try {
        return shape.fromTsProto(item, fieldType);
      } catch (error) {
        throw new DynamicProtoError(DynamicProtoErrorCode.INVALID_MESSAGE, `invalid ${typeName(type)}: ${where}: ${(error as Error).message}`, undefined, { cause: error });
      }
    };
    const where = `${prefix}${field.name}`;
    let converted: unknown = value;
    if (field.map && typeof value === 'object') {
      converted = Object.fromEntries(
        Object.entries(value as Record<string, unknown>)
          .filter(([, item]) => item !== undefined)
          .map(([key, item]) => [key, convert(item, `${where}.${key}`)]),
      );
    } else if (field.repeated && Array.isArray(value)) {
      converted = value.map((item, index) => convert(item, `${where}[${index}]`));
    } else if (!field.repeated && !field.map) {
      converted = convert(value, where);
    }
    copy ??= { ...(message as Record<string, unknown>) };
    copy[field.name] = converted;
  }
  return copy ?? message;
}

function typeName(type: protobuf.Type): string {
  return type.fullName.replace(/^\./, '');
}
