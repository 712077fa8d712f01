// framerpc's public API. Folders follow one call: client -> rpc -> transport (codec, tcp) -> server (dispatcher) -> service handler.
// Internals (the transport classes, frame kinds, options of the layers below) are in src/internal.ts, not covered by semver.

export { Status } from './rpc/status';
export { RpcError } from './rpc/rpc-error';
export { Metadata } from './rpc/metadata';

export type { ServiceDefinition, MethodDefinition } from './service/service-definition';
export type { ServiceImplementation } from './service/handler-types';
export { CallContext } from './service/call-context';
export type { HandlerResolver } from './service/service-metadata';

export { RpcServer, type RpcServerConstructorOptions } from './server/rpc-server';
export type { RpcServerOptions } from './server/server-options';
export type { Logger } from './server/logger';
export type { ServerInterceptor } from './server/server-interceptor';

// Decorated handlers: tsyringe and reflect-metadata load when @RpcService is first applied, not on import.
export { RpcService, tsyringeResolver, CALL_CONTEXT, type RpcServiceOptions } from './di/decorators';

export { Channel, type ChannelTargetOptions } from './client/channel';
export { createChannel } from './client/create-channel';
export { BalancedChannel, dnsResolver, type BalancedChannelOptions, type Endpoint, type Resolver } from './client/balancer';
export type { RetryPolicyOptions } from './client/retry/retry-policy';
export { WorkerPool, serveWorker, type WorkerPoolOptions } from './cluster';
export { serveWebSocket, type WebSocketListenerOptions } from './transport/websocket';
export { DiagnosticChannel } from './rpc/diagnostic-channels';
export type { ChannelOptions } from './client/channel-options';
export { createClient, type Client } from './client/create-client';
export type { CallOptions } from './client/call-options';
export type { ClientInterceptor } from './client/client-interceptor';

export { CloseCode } from './codec/wire';
export type { CloseInfo } from './transport/close-info';
export type { ClientState } from './transport/frame-transport';
export type { TransportOptions } from './transport/transport-options';

export { PushHub } from './push/push-hub';
export type { PushHubOptions } from './push/push-options';
export type { EventMessages } from './push/event-topics';
export { subscribePush, joinRoom, leaveRoom, type PushSubscription } from './push/subscribe-push';
export { PushError, PushErrorCode } from './push/push-error';
export type { PushBus } from './push/push-bus';
export { RedisPushBus } from './push/redis/redis-push-bus';
export type { RedisPushBusOptions } from './push/redis/redis-bus-options';

export { HealthService, ServingStatus, servingStatusName, addHealthService, checkHealth, watchHealth } from './health';
export { addReflectionService, ReflectionClient } from './reflection';
export { loadServiceDefinitions, loadServiceDefinitionsSync, createDynamicClient, DynamicProtoError, type DynamicMessage } from './dynamic';
export { createTestClient } from './testing/create-test-client';
export { clientTracing, serverTracing, instrumentServer, instrumentChannel, prometheusMetrics } from './observability';

export { ErrorCode, FramerpcError, FramerpcOptionError, FramerpcArgumentError } from './errors';
