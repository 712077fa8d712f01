// grpc.reflection.v1.ServerReflection served by framerpc: lists the server's services and hands out their descriptors.
import type * as protobuf from 'protobufjs';
import { ServerReflectionDefinition, type ServerReflectionRequest, type ServerReflectionResponse } from '../../generated/grpc/reflection/v1/reflection';
import { loadRootSync } from '../dynamic/proto-file-loader';
import { protobufServiceOf } from '../dynamic/service-from-reflection';
import { Status } from '../rpc/status';
import type { RpcServer } from '../server/rpc-server';
import { DescriptorPool } from './descriptor-pool';
import { FRAMERPC_PROTO_FILES, framerpcProtoDir } from './framerpc-protos';

export interface ReflectionOptions {
  /**
   * .proto files of the services served from generated code: ts-proto's definitions carry no descriptors, so
   * reflection reads them from these files (services loaded with loadServiceDefinitions need none). Default none.
   */
  protoFiles?: string[];
  /** Where protoFiles and their imports are looked up, as for loadServiceDefinitions. Default none. */
  includeDirs?: string[];
}

/**
 * Serves grpc.reflection.v1.ServerReflection on `server`: `list_services` names every service the server serves
 * (asked each time, so services added later are listed too); `file_containing_symbol` and `file_by_filename` answer
 * with FileDescriptorProtos and their dependencies. A listed service without a descriptor (generated code whose
 * .proto was not given in `protoFiles`) is answered with NOT_FOUND naming what to pass. Extensions are not
 * supported (UNIMPLEMENTED).
 */
export function addReflectionService(server: RpcServer, options: ReflectionOptions = {}): void {
  const given = options.protoFiles && options.protoFiles.length > 0 ? loadRootSync(options.protoFiles, options.includeDirs ?? []) : undefined;
  const ownDir = framerpcProtoDir();
  const own = ownDir ? loadRootSync(FRAMERPC_PROTO_FILES, [ownDir]) : undefined;
  let pool: DescriptorPool | undefined;
  let pooledServices = -1;
  const currentPool = (): DescriptorPool => {
    const services = server.registry.services();
    if (!pool || pooledServices !== services.length) {
      const roots: protobuf.Root[] = [];
      if (given) roots.push(given);
      for (const service of services) {
        const root = protobufServiceOf(service)?.root;
        if (root && !roots.includes(root)) roots.push(root);
      }
      if (own) roots.push(own);
      pool = new DescriptorPool(roots);
      pooledServices = services.length;
    }
    return pool;
  };

  const answer = (request: ServerReflectionRequest): ServerReflectionResponse => {
    const base = { validHost: request.host, originalRequest: request };
    const error = (code: Status, message: string): ServerReflectionResponse => ({ ...base, errorResponse: { errorCode: code, errorMessage: message } });
    const files = (found: Uint8Array[] | undefined, what: string): ServerReflectionResponse =>
      found
        ? { ...base, fileDescriptorResponse: { fileDescriptorProto: found.map((bytes) => Buffer.from(bytes)) } }
        : error(Status.NOT_FOUND, `${what} is not known to this server's reflection; if it comes from generated code, pass its .proto in addReflectionService's protoFiles`);
    if (request.listServices !== undefined) {
      return { ...base, listServicesResponse: { service: server.registry.services().map((service) => ({ name: service.fullName })) } };
    }
    if (request.fileContainingSymbol !== undefined) return files(currentPool().filesContainingSymbol(request.fileContainingSymbol), `symbol ${request.fileContainingSymbol}`);
    if (request.fileByFilename !== undefined) return files(currentPool().filesByName(request.fileByFilename), `file ${request.fileByFilename}`);
    return error(Status.UNIMPLEMENTED, 'extension queries are not supported by framerpc reflection');
  };

  server.addService(ServerReflectionDefinition, {
    async *serverReflectionInfo(requests: AsyncIterable<ServerReflectionRequest>): AsyncIterable<ServerReflectionResponse> {
      for await (const request of requests) yield answer(request);
    },
  });
}
