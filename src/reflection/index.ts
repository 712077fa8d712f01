// Server reflection (grpc.reflection.v1): the server-side service and the client that reads it.
export { addReflectionService, type ReflectionOptions } from './reflection-service';
export { ReflectionClient } from './reflection-client';
export { ServerReflectionDefinition } from '../../generated/grpc/reflection/v1/reflection';
