// google.protobuf well-known types on the dynamic path, in the shapes ts-proto gives them (framerpc gen's options).
import * as protobuf from 'protobufjs';

/**
 * What ts-proto (default useDate, forceLong=number, env=node) makes of each type, and so the dynamic path too:
 * - Timestamp: a Date (millisecond precision, as ts-proto's fromTimestamp/toTimestamp).
 * - Struct: a plain object of JSON values; Value: the JSON value itself (null for NULL_VALUE, undefined when empty);
 *   ListValue: an array of JSON values.
 * - DoubleValue ... BytesValue: the value itself, or undefined when the field is absent.
 * - FieldMask: its paths, a string[].
 * - Any: { typeUrl, value } (protobufjs bundles it with protoc's field name type_url).
 * - Duration and Empty: plain messages, as any other.
 */
interface WellKnownShape {
  /** From protobufjs's toObject output (longs as numbers, defaults filled) to ts-proto's value. */
  toTsProto(object: Record<string, unknown>, type: protobuf.Type): unknown;
  /** From ts-proto's value to an object protobufjs's fromObject takes; throws a TypeError for what cannot be one. */
  fromTsProto(value: unknown, type: protobuf.Type): unknown;
}

/** A field's name in `type` by number: the bundled types keep protoc's snake_case names (type_url, number_value). */
function nameOf(type: protobuf.Type, id: number): string {
  return type.fieldsById[id].name;
}

/** Value's oneof members by field number. */
const VALUE = { NULL: 1, NUMBER: 2, STRING: 3, BOOL: 4, STRUCT: 5, LIST: 6 } as const;

function valueType(type: protobuf.Type): protobuf.Type {
  return type.lookupType('.google.protobuf.Value');
}

function structToJson(object: Record<string, unknown>, type: protobuf.Type): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  const values = (object[nameOf(type, 1)] ?? {}) as Record<string, Record<string, unknown>>;
  for (const key of Object.keys(values)) {
    const value = valueToJson(values[key], valueType(type));
    if (value !== undefined) json[key] = value; // ts-proto's Struct.decode drops entries without a value
  }
  return json;
}

function valueToJson(object: Record<string, unknown> | null | undefined, type: protobuf.Type): unknown {
  if (!object) return undefined;
  const member = (id: number): unknown => object[nameOf(type, id)];
  if (member(VALUE.STRING) !== undefined) return member(VALUE.STRING);
  if (member(VALUE.NUMBER) !== undefined) return member(VALUE.NUMBER);
  if (member(VALUE.BOOL) !== undefined) return member(VALUE.BOOL);
  const struct = member(VALUE.STRUCT) as Record<string, unknown> | undefined;
  if (struct != null) return structToJson(struct, type.fieldsById[VALUE.STRUCT].resolvedType as protobuf.Type);
  const list = member(VALUE.LIST) as Record<string, unknown> | undefined;
  if (list != null) return listToJson(list, type.fieldsById[VALUE.LIST].resolvedType as protobuf.Type);
  if (member(VALUE.NULL) !== undefined) return null;
  return undefined;
}

function listToJson(object: Record<string, unknown>, type: protobuf.Type): unknown[] {
  const values = (object[nameOf(type, 1)] ?? []) as Record<string, unknown>[];
  return values.map((value) => valueToJson(value, valueType(type)));
}

function structFromJson(json: unknown, type: protobuf.Type): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new TypeError('a google.protobuf.Struct must be a plain object');
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) if (value !== undefined) values[key] = valueFromJson(value, valueType(type));
  return { [nameOf(type, 1)]: values };
}

function valueFromJson(json: unknown, type: protobuf.Type): Record<string, unknown> {
  const member = (id: number, value: unknown): Record<string, unknown> => ({ [nameOf(type, id)]: value });
  if (json === null) return member(VALUE.NULL, 0);
  if (json === undefined) return {};
  if (typeof json === 'boolean') return member(VALUE.BOOL, json);
  if (typeof json === 'number') return member(VALUE.NUMBER, json);
  if (typeof json === 'string') return member(VALUE.STRING, json);
  if (Array.isArray(json)) return member(VALUE.LIST, listFromJson(json, type.fieldsById[VALUE.LIST].resolvedType as protobuf.Type));
  if (typeof json === 'object') return member(VALUE.STRUCT, structFromJson(json, type.fieldsById[VALUE.STRUCT].resolvedType as protobuf.Type));
  throw new TypeError(`a google.protobuf.Value cannot hold a ${typeof json}`);
}

function listFromJson(json: unknown, type: protobuf.Type): Record<string, unknown> {
  if (!Array.isArray(json)) throw new TypeError('a google.protobuf.ListValue must be an array');
  return { [nameOf(type, 1)]: json.map((value) => valueFromJson(value, valueType(type))) };
}

/** A wrapper (google.protobuf.Int32Value ...): the value itself. */
const wrapper: WellKnownShape = {
  toTsProto: (object, type) => object[nameOf(type, 1)],
  fromTsProto: (value, type) => ({ [nameOf(type, 1)]: value }),
};

const SHAPES: Readonly<Record<string, WellKnownShape>> = {
  '.google.protobuf.Timestamp': {
    toTsProto: (object, type) => new Date(Number(object[nameOf(type, 1)] ?? 0) * 1_000 + Number(object[nameOf(type, 2)] ?? 0) / 1_000_000),
    fromTsProto: (value, type) => {
      if (!(value instanceof Date)) throw new TypeError('a google.protobuf.Timestamp must be a Date');
      // ts-proto's toTimestamp, to the letter
      return { [nameOf(type, 1)]: Math.trunc(value.getTime() / 1_000), [nameOf(type, 2)]: (value.getTime() % 1_000) * 1_000_000 };
    },
  },
  '.google.protobuf.Struct': { toTsProto: structToJson, fromTsProto: structFromJson },
  '.google.protobuf.Value': { toTsProto: (object, type) => valueToJson(object, type), fromTsProto: valueFromJson },
  '.google.protobuf.ListValue': { toTsProto: listToJson, fromTsProto: listFromJson },
  '.google.protobuf.FieldMask': {
    toTsProto: (object, type) => object[nameOf(type, 1)] ?? [],
    fromTsProto: (value, type) => {
      if (!Array.isArray(value)) throw new TypeError('a google.protobuf.FieldMask must be a string[] of paths');
      return { [nameOf(type, 1)]: value };
    },
  },
  '.google.protobuf.DoubleValue': wrapper,
  '.google.protobuf.FloatValue': wrapper,
  '.google.protobuf.Int64Value': wrapper,
  '.google.protobuf.UInt64Value': wrapper,
  '.google.protobuf.Int32Value': wrapper,
  '.google.protobuf.UInt32Value': wrapper,
  '.google.protobuf.BoolValue': wrapper,
  '.google.protobuf.StringValue': wrapper,
  '.google.protobuf.BytesValue': wrapper,
  // A plain message in ts-proto too, but protobufjs bundles it with protoc's field name type_url.
  '.google.protobuf.Any': {
    toTsProto: (object, type) => ({ typeUrl: object[nameOf(type, 1)], value: object[nameOf(type, 2)] }),
    fromTsProto: (value, type) => {
      if (typeof value !== 'object' || value === null) throw new TypeError('a google.protobuf.Any must be an object { typeUrl, value }');
      const { typeUrl, value: bytes, ...rest } = value as Record<string, unknown>;
      return { ...rest, [nameOf(type, 1)]: typeUrl, [nameOf(type, 2)]: bytes };
    },
  },
};

/** @internal The ts-proto shape of a type, if it is a well-known type ts-proto unwraps. */
export function wellKnownShape(type: protobuf.Type): WellKnownShape | undefined {
  return SHAPES[type.fullName];
}
