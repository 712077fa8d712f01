// Builds framerpc ServiceDefinitions from protobufjs reflection, shaped like ts-proto's generic definitions.
import * as protobuf from 'protobufjs';
import type { MethodDefinition, ServiceDefinition } from '../service/service-definition';
import { dynamicCodec, type DynamicMessage } from './dynamic-codec';

/** A method loaded at run time: its messages are plain objects (see DynamicMessage). */
export type DynamicMethodDefinition = MethodDefinition<DynamicMessage, DynamicMessage>;

/** A service loaded at run time; methods are keyed lowerCamel, as ts-proto keys them ("EchoStream" -> "echoStream"). */
export interface DynamicServiceDefinition extends ServiceDefinition {
  readonly methods: { readonly [key: string]: DynamicMethodDefinition };
}

/** The protobufjs Service each dynamic definition was built from, so server reflection can describe it. */
const sources = new WeakMap<ServiceDefinition, protobuf.Service>();

/** @internal The protobufjs Service behind a dynamic definition (undefined for generated ones). */
export function protobufServiceOf(definition: ServiceDefinition): protobuf.Service | undefined {
  return sources.get(definition);
}

/** @internal Every service in `root` (resolved), keyed by full name without the leading dot ("echo.v1.EchoService"). */
export function serviceDefinitionsOf(root: protobuf.Root): Record<string, DynamicServiceDefinition> {
  const services: Record<string, DynamicServiceDefinition> = {};
  for (const service of servicesIn(root)) {
    const definition = serviceDefinitionOf(service);
    services[definition.fullName] = definition;
  }
  return services;
}

/** @internal The definition of one resolved protobufjs Service. */
export function serviceDefinitionOf(service: protobuf.Service): DynamicServiceDefinition {
  const methods: Record<string, DynamicMethodDefinition> = {};
  for (const method of service.methodsArray) {
    // resolvedRequestType is set by resolveAll(), which the loader has run
    methods[uncapitalize(method.name)] = Object.freeze({
      name: method.name,
      requestType: dynamicCodec(method.resolvedRequestType!),
      requestStream: method.requestStream === true,
      responseType: dynamicCodec(method.resolvedResponseType!),
      responseStream: method.responseStream === true,
      options: method.options ?? {},
    });
  }
  const definition = Object.freeze({ name: service.name, fullName: service.fullName.replace(/^\./, ''), methods: Object.freeze(methods) });
  sources.set(definition, service);
  return definition;
}

function* servicesIn(namespace: protobuf.NamespaceBase): Generator<protobuf.Service> {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Service) yield nested;
    if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) yield* servicesIn(nested);
  }
}

/** ts-proto's method key: the first letter lowered, the rest unchanged ("WhoAmI" -> "whoAmI"). */
function uncapitalize(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
