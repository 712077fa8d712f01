// A MessageCodec over a protobufjs Type, whose objects look like ts-proto's for the same message.
import * as protobuf from 'protobufjs';
import type { MessageCodec } from '../service/service-definition';
import { DynamicProtoError, DynamicProtoErrorCode } from './dynamic-proto-error';

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
 */
const toObjectOptions: protobuf.IConversionOptions = { longs: Number, defaults: true };

/** @internal One codec per Type, so methods sharing a message share a codec. */
const codecs = new WeakMap<protobuf.Type, MessageCodec<DynamicMessage>>();

/** @internal The codec of `type` (which must be resolved, as after root.resolveAll()). */
export function dynamicCodec(type: protobuf.Type): MessageCodec<DynamicMessage> {
  let codec = codecs.get(type);
  if (!codec) {
    codec = {
      encode: (message) => type.encode(type.fromObject(checkMessage(type, message))),
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
  nullMessagesToUndefined(type, object);
  return object;
}

/** protobufjs sets absent singular message fields to null under defaults: true; ts-proto leaves them undefined. */
function nullMessagesToUndefined(type: protobuf.Type, object: Record<string, unknown>): void {
  for (const field of type.fieldsArray) {
    if (!(field.resolvedType instanceof protobuf.Type)) continue;
    const value = object[field.name];
    if (value === null) {
      object[field.name] = undefined;
    } else if (value !== undefined) {
      const items = (field.repeated ? value : field.map ? Object.values(value as object) : [value]) as unknown[];
      for (const item of items) if (item) nullMessagesToUndefined(field.resolvedType, item as Record<string, unknown>);
    }
  }
}

function typeName(type: protobuf.Type): string {
  return type.fullName.replace(/^\./, '');
}
