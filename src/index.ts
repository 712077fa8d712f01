// framerpc's public API. Folders follow one call: client -> (multiplexer) -> transport -> server (dispatcher) -> di (handler).
import 'reflect-metadata';

export { Status, statusName } from './rpc/status';
export { RpcError, type RpcErrorOptions } from './rpc/rpc-error';
export { Metadata, type MetadataValue } from './rpc/metadata';

export type { ServiceDefinition, MethodDefinition, MessageCodec, RequestOf, ResponseOf, CallKind, DeepPartial, PartialRequestOf } from './service/service-definition';
export type { ServiceImplementation, MethodHandler } from './service/handler-types';
export type { HandlerLifetime, HandlerClass } from './service/service-metadata';

export { RpcServer, type RpcServerConstructorOptions, type RpcServerEvents, type AddServiceOptions } from './server/rpc-server';
export type { RpcServerOptions } from './server/server-options';
export { ServerLog, type Logger, type LogFields } from './server/logger';
export type { RateLimitOptions } from './server/log-rate-limit';
export { CallContext } from './server/call-context';
export type { ServerInterceptor } from './server/server-interceptor';

export { RpcService, type RpcServiceOptions } from './di/rpc-service';
export { CALL_CONTEXT } from './di/tokens';
export { tsyringeResolver, type HandlerResolver } from './di/handler-resolver';

export { Channel, type ChannelEvents, type ChannelTargetOptions } from './client/channel';
export { createChannel } from './client/create-channel';
export {
  BalancedChannel, staticResolver, dnsResolver, functionResolver, pickFirst, roundRobin, leastLoaded,
  type BalancedChannelOptions, type BalancedChannelEvents, type BalancedChannelState, type EndpointStatus, type EndpointState,
  type Endpoint, type Resolver, type DnsResolverOptions, type BalancingPolicy, type PolicyName, type Pickable,
} from './client/balancer';
export type { CallChannel } from './client/call-channel';
export type { ParentCall } from './client/parent-call';
export type { RetryPolicyOptions, RetryThrottleOptions } from './client/retry/retry-policy';
export { WorkerPool, serveWorker, type WorkerPoolOptions, type WorkerPoolEvents, type WorkerInfo, type ServeWorkerOptions } from './cluster';
export { serveWebSocket, WebSocketListener, webSocketDialer, WebSocketCloseCode, type WebSocketListenerOptions, type WebSocketDialerOptions, type OriginPolicy } from './transport/websocket';
export type { StreamDialer } from './transport/frame-client';
export { DiagnosticChannel } from './rpc/diagnostic-channels';
export type { ChannelOptions } from './client/channel-options';
export { createClient, type Client, type ClientMethod } from './client/create-client';
export type { CallOptions } from './client/call-options';
export type { ClientInterceptor, ClientCallInfo } from './client/client-interceptor';

export {
  FrameServer, FrameClient, FrameConnection, CloseCode, FrameKind, FrameFlag,
  type FrameServerOptions, type FrameClientOptions, type TransportOptions, type CloseInfo, type ClientState, type BackoffOptions,
} from './transport';
export { loadServiceDefinitions, loadServiceDefinitionsSync, createDynamicClient, DynamicProtoError, DynamicProtoErrorCode, type LoadProtoOptions, type DynamicClient, type DynamicMessage, type DynamicServiceDefinition, type DynamicMethodDefinition } from './dynamic';

export { createTestClient, type TestClient, type TestClientOptions } from './testing/create-test-client';

export { PushHub, type PushHubEvents, type ConnectionPushStats } from './push/push-hub';
export type { PushEmitter, PushEvents, ExceptOptions } from './push/push-emitter';
export type { Delivery, PushHubStats, SlowConsumer } from './push/fan-out';
export type { PushHubOptions, PushPolicy, SlowConsumerPolicy } from './push/push-options';
export type { EventMessages } from './push/event-topics';
export { subscribePush, joinRoom, leaveRoom, type PushSubscription, type PushTopic, type PushSubscriptionControl, type SubscribePushOptions } from './push/subscribe-push';
export { PushError, PushErrorCode } from './push/push-error';
export type { PushBus, PushBusNode, BusMessage, BusTarget } from './push/push-bus';
export { InProcessPushBus } from './push/in-process-bus';
export type { ConnectionDirectory, PushConnection } from './push/connection-directory';
export { serverDirectory } from './push/server-directory';
export { RedisPushBus, type RedisPushBusEvents, type RedisPushBusStats, type RedisBusConnection } from './push/redis/redis-push-bus';
export type { RedisPushBusOptions } from './push/redis/redis-bus-options';
export type { RedisPublisher, RedisSubscriber } from './push/redis/redis-clients';
export { PushControlDefinition } from '../generated/framerpc/push/v1/push';

export { HealthService, ServingStatus, addHealthService, servingStatusName, checkHealth, watchHealth, HealthDefinition, type HealthServiceOptions } from './health';
export { addReflectionService, ReflectionClient, ServerReflectionDefinition, type ReflectionOptions } from './reflection';
export {
  clientTracing, serverTracing, instrumentServer, instrumentChannel, prometheusMetrics,
  type TracingOptions, type TracerProviderLike, type MetricsHooks, type Side, type Instrumentation, type InstrumentServerOptions, type PrometheusMetrics, type PrometheusMetricsOptions, type RegistryLike,
} from './observability';

export { ErrorCode, FramerpcError, FramerpcOptionError, FramerpcArgumentError } from './errors';
