// The client side of server reflection: list a server's services and build callable definitions from its descriptors.
import * as protobuf from 'protobufjs';
import type * as descriptor from 'protobufjs/ext/descriptor';
import { descriptorModule } from './descriptor-module';
import { ServerReflectionDefinition, type ServerReflectionRequest, type ServerReflectionResponse } from '../../generated/grpc/reflection/v1/reflection';
import type { CallOptions } from '../client/call-options';
import type { Channel } from '../client/channel';
import { createClient, type Client } from '../client/create-client';
import { serviceDefinitionOf, type DynamicServiceDefinition } from '../dynamic/service-from-reflection';
import { RpcError } from '../rpc/rpc-error';
import { isStatus, Status } from '../rpc/status';

/**
 * Asks a server's grpc.reflection.v1 service, one request per call. `serviceDefinition(name)` gives a
 * definition for `createDynamicClient`, so a client with no .proto files can call any listed service.
 */
export class ReflectionClient {
  private readonly client: Client<typeof ServerReflectionDefinition>;

  /** `options` (timeout, metadata) apply to every reflection call. */
  constructor(
    channel: Channel,
    private readonly options?: CallOptions,
  ) {
    this.client = createClient(ServerReflectionDefinition, channel);
  }

  /** The full names of the services the server serves ("echo.v1.EchoService"). */
  async listServices(): Promise<string[]> {
    const response = await this.ask({ host: '', listServices: '' });
    return (response.listServicesResponse?.service ?? []).map((service) => service.name);
  }

  /** The serialized FileDescriptorProtos declaring `symbol` and its dependencies. Rejects with NOT_FOUND if unknown. */
  async fileDescriptorsForSymbol(symbol: string): Promise<Uint8Array[]> {
    const response = await this.ask({ host: '', fileContainingSymbol: symbol });
    return response.fileDescriptorResponse?.fileDescriptorProto ?? [];
  }

  /** The serialized FileDescriptorProto named `name` and its dependencies. Rejects with NOT_FOUND if unknown. */
  async fileDescriptorsByName(name: string): Promise<Uint8Array[]> {
    const response = await this.ask({ host: '', fileByFilename: name });
    return response.fileDescriptorResponse?.fileDescriptorProto ?? [];
  }

  /** A protobufjs Root with everything needed to use `symbols` (services, messages). */
  async root(symbols: readonly string[]): Promise<protobuf.Root> {
    const files = new Map<string, descriptor.IFileDescriptorProto>();
    for (const symbol of symbols) {
      for (const bytes of await this.fileDescriptorsForSymbol(symbol)) {
        const file = descriptorModule().FileDescriptorProto.decode(bytes) as unknown as descriptor.IFileDescriptorProto;
        if (!files.has(file.name ?? '')) files.set(file.name ?? '', file);
      }
    }
    const fromDescriptor = (protobuf.Root as unknown as { fromDescriptor(set: descriptor.IFileDescriptorSet): protobuf.Root }).fromDescriptor;
    return fromDescriptor({ file: [...files.values()] });
  }

  /** A definition of service `name`, callable with createDynamicClient (fields lowerCamel, as the loader makes them). */
  async serviceDefinition(name: string): Promise<DynamicServiceDefinition> {
    const root = await this.root([name]);
    return serviceDefinitionOf(root.lookupService(name));
  }

  private async ask(request: ServerReflectionRequest): Promise<ServerReflectionResponse> {
    for await (const response of this.client.serverReflectionInfo(single(request), this.options)) {
      const failed = response.errorResponse;
      if (failed) {
        const code = isStatus(failed.errorCode) ? failed.errorCode : Status.UNKNOWN;
        throw new RpcError(code, failed.errorMessage);
      }
      return response;
    }
    throw new RpcError(Status.INTERNAL, 'the reflection service ended the stream without answering');
  }
}

async function* single<T>(item: T): AsyncIterable<T> {
  yield item;
}
