// The dynamic path's public surface: load .proto files at run time, serve and call them without codegen.
export { loadServiceDefinitions, loadServiceDefinitionsSync, createDynamicClient, type LoadProtoOptions, type DynamicClient } from './load-proto';
export { DynamicProtoError, DynamicProtoErrorCode } from './dynamic-proto-error';
export type { DynamicMessage } from './dynamic-codec';
export type { DynamicServiceDefinition, DynamicMethodDefinition } from './service-from-reflection';
