// A service definition whose messages are JSON values (proto3 JSON mapping), for calls typed in a shell.
import * as protobuf from 'protobufjs';
import type { MessageCodec, MethodDefinition, ServiceDefinition } from '../service/service-definition';
import { UsageError } from './connection-options';

/** A JSON value as JSON.parse returns it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * How responses are printed: enums by name, bytes in base64, 64-bit integers as strings, every field present
 * (the proto3 JSON mapping, as grpcurl prints it).
 */
const printOptions: protobuf.IConversionOptions = { enums: String, bytes: String, longs: String, defaults: true, json: true };

/** A codec reading JSON objects (field names lowerCamel or as in the .proto, enums by name or number, bytes base64). */
function jsonCodec(type: protobuf.Type): MessageCodec<JsonValue> {
  return {
    encode: (value) => {
      checkFields(type, value, '');
      return type.encode(type.fromObject(value as Record<string, unknown>));
    },
    decode: (bytes) => type.toObject(type.decode(bytes), printOptions) as JsonValue,
  };
}

/** protobufjs's fromObject drops unknown keys; a typo must fail instead of sending an empty field. */
function checkFields(type: protobuf.Type, value: JsonValue, prefix: string): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`${prefix || 'the message'} must be a JSON object for ${type.fullName.slice(1)}`);
  for (const [key, item] of Object.entries(value)) {
    const field = type.fields[key] ?? type.fieldsArray.find((candidate) => candidate.name === key || snake(candidate.name) === key);
    if (!field) throw new UsageError(`${prefix}${key}: ${type.fullName.slice(1)} has no such field (fields: ${type.fieldsArray.map((f) => f.name).join(', ') || 'none'})`);
    field.resolve();
    if (item === null || !(field.resolvedType instanceof protobuf.Type)) continue;
    const items = field.repeated && Array.isArray(item) ? item : field.map && typeof item === 'object' ? Object.values(item as object) : [item];
    for (const nested of items) checkFields(field.resolvedType, nested as JsonValue, `${prefix}${key}.`);
  }
}

function snake(camel: string): string {
  return camel.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** The definition of `service` with JSON codecs, callable with createClient; methods keyed by their .proto names. */
export function jsonServiceDefinition(service: protobuf.Service): ServiceDefinition & { readonly methods: { readonly [name: string]: MethodDefinition<JsonValue, JsonValue> } } {
  const methods: Record<string, MethodDefinition<JsonValue, JsonValue>> = {};
  for (const method of service.methodsArray) {
    method.resolve();
    methods[method.name] = {
      name: method.name,
      requestType: jsonCodec(method.resolvedRequestType!),
      requestStream: method.requestStream === true,
      responseType: jsonCodec(method.resolvedResponseType!),
      responseStream: method.responseStream === true,
    };
  }
  return { name: service.name, fullName: service.fullName.replace(/^\./, ''), methods };
}
