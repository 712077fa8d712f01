// framerpc's public API. Folders follow one call: client -> (multiplexer) -> transport -> server (dispatcher) -> di (handler).
import 'reflect-metadata';

export { Status, statusName } from './rpc/status';
export { RpcError, type RpcErrorOptions } from './rpc/rpc-error';
export { Metadata, type MetadataValue } from './rpc/metadata';

export type { ServiceDefinition, MethodDefinition, MessageCodec, RequestOf, ResponseOf, CallKind } from './service/service-definition';
export type { ServiceImplementation, MethodHandler } from './service/handler-types';
export type { HandlerLifetime, HandlerClass } from './service/service-metadata';

export { RpcServer, type RpcServerConstructorOptions, type RpcServerEvents } from './server/rpc-server';
export type { RpcServerOptions, Logger } from './server/server-options';
export { CallContext } from './server/call-context';
export type { ServerInterceptor } from './server/server-interceptor';

export { RpcService, type RpcServiceOptions } from './di/rpc-service';
export { CALL_CONTEXT } from './di/tokens';
export { tsyringeResolver, type HandlerResolver } from './di/handler-resolver';

export { Channel, createChannel } from './client/channel';
export type { ChannelOptions } from './client/channel-options';
export { createClient, type Client, type ClientMethod } from './client/create-client';
export type { CallOptions } from './client/call-options';
export type { ClientInterceptor, ClientCallInfo } from './client/client-interceptor';

export {
  FrameServer, FrameClient, FrameConnection, CloseCode, FrameKind, FrameFlag,
  type FrameServerOptions, type FrameClientOptions, type TransportOptions, type CloseInfo, type ClientState, type BackoffOptions,
} from './transport';
