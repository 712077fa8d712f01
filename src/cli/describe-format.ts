// Prints services and message types the way a .proto declares them, for `framerpc describe`.
import * as protobuf from 'protobufjs';

/** Every service declared under `namespace`. */
export function* servicesIn(namespace: protobuf.NamespaceBase): Generator<protobuf.Service> {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Service) yield nested;
    if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) yield* servicesIn(nested);
  }
}

const name = (object: protobuf.ReflectionObject): string => object.fullName.replace(/^\./, '');

/** The service's methods, then every message and enum they use (transitively), in .proto syntax. */
export function describeService(service: protobuf.Service): string {
  const types = new Map<string, protobuf.Type | protobuf.Enum>();
  const lines = [`service ${name(service)} {`, ...service.methodsArray.map((method) => `  ${rpcLine(method, types)}`), '}'];
  return [lines.join('\n'), ...[...types.values()].map(describeType)].join('\n\n');
}

/** One method ("echo.v1.EchoService.Echo"), then the messages and enums it uses. */
export function describeMethod(method: protobuf.Method): string {
  const types = new Map<string, protobuf.Type | protobuf.Enum>();
  const line = `${rpcLine(method, types)} // in ${name(method.parent!)}`;
  return [line, ...[...types.values()].map(describeType)].join('\n\n');
}

function rpcLine(method: protobuf.Method, types: Map<string, protobuf.Type | protobuf.Enum>): string {
  method.resolve();
  const request = method.resolvedRequestType!;
  const response = method.resolvedResponseType!;
  collectTypes(request, types);
  collectTypes(response, types);
  return `rpc ${method.name}(${method.requestStream ? 'stream ' : ''}${name(request)}) returns (${method.responseStream ? 'stream ' : ''}${name(response)});`;
}

/** A message or enum in .proto syntax (nested types are printed by their full names, separately). */
export function describeType(type: protobuf.Type | protobuf.Enum): string {
  if (type instanceof protobuf.Enum) {
    const values = Object.entries(type.values).map(([key, value]) => `  ${key} = ${value};`);
    return [`enum ${name(type)} {`, ...values, '}'].join('\n');
  }
  const fields = type.fieldsArray.map((field) => {
    field.resolve();
    const fieldType = field.resolvedType ? name(field.resolvedType) : field.type;
    if (field instanceof protobuf.MapField) return `  map<${field.keyType}, ${fieldType}> ${field.name} = ${field.id};`;
    const label = field.repeated ? 'repeated ' : field.options?.proto3_optional ? 'optional ' : '';
    const oneof = field.partOf && !field.options?.proto3_optional ? ` // oneof ${field.partOf.name}` : '';
    return `  ${label}${fieldType} ${field.name} = ${field.id};${oneof}`;
  });
  return [`message ${name(type)} {`, ...fields, '}'].join('\n');
}

/** `type` and every message or enum reachable from its fields. */
export function collectTypes(type: protobuf.Type | protobuf.Enum, into: Map<string, protobuf.Type | protobuf.Enum>): void {
  if (into.has(type.fullName)) return;
  into.set(type.fullName, type);
  if (type instanceof protobuf.Enum) return;
  for (const field of type.fieldsArray) {
    field.resolve();
    if (field.resolvedType) collectTypes(field.resolvedType, into);
  }
}
