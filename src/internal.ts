// framerpc's internal entry, for its own tests, benchmarks and tools: the public API plus the layers under it.
// Nothing here is covered by semver; users import from 'framerpc' (src/index.ts).
export * from './index';

export { statusName } from './rpc/status';
export type { RpcErrorOptions } from './rpc/rpc-error';
export type { MetadataValue } from './rpc/metadata';

export type { MessageCodec, RequestOf, ResponseOf, CallKind, DeepPartial, PartialRequestOf } from './service/service-definition';
export type { MethodHandler } from './service/handler-types';
export type { HandlerLifetime, HandlerClass } from './service/service-metadata';

export type { RpcServerEvents, AddServiceOptions } from './server/rpc-server';
export { ServerLog, type LogFields } from './server/logger';
export type { RateLimitOptions } from './server/log-rate-limit';

export type { ChannelEvents } from './client/channel';
export type { ClientMethod } from './client/create-client';
export type { ClientCallInfo } from './client/client-interceptor';

export * from './transport';
export type {
  FrameTransport,
  FrameTransportState,
  FrameListener,
  FrameListenerFactory,
  FrameListenerOptions,
  FrameDialer,
  FrameDialerFactory,
  FrameDialerOptions,
  ListenAddress,
} from './transport/frame-transport';
export { tcpListener, tcpDialer } from './transport/default-transport';
export { MemoryNetwork, createMemoryTransportPair, type MemoryTransportPair } from './transport/memory';
export type { FrameCompressor } from './codec/frame-compressor';

export type { DynamicClient, DynamicServiceDefinition, DynamicMethodDefinition, LoadProtoOptions } from './dynamic';
export { DynamicProtoErrorCode } from './dynamic';
export type { TestClient, TestClientOptions } from './testing/create-test-client';

export type { PushHubEvents, ConnectionPushStats } from './push/push-hub';
export type { PushEmitter, PushEvents, ExceptOptions } from './push/push-emitter';
export type { Delivery, PushHubStats, SlowConsumer } from './push/fan-out';
export type { PushPolicy, SlowConsumerPolicy } from './push/push-options';
export type { PushTopic, PushSubscriptionControl, SubscribePushOptions } from './push/subscribe-push';
export { PushControlDefinition } from '../generated/framerpc/push/v1/push';

export { HealthDefinition, type HealthServiceOptions } from './health';
export { ServerReflectionDefinition, type ReflectionOptions } from './reflection';
export type { TracingOptions, TracerProviderLike, MetricsHooks, Side, Instrumentation, InstrumentServerOptions, PrometheusMetrics, PrometheusMetricsOptions, RegistryLike } from './observability';

export type { ChannelTargetOptions } from './client/channel';
export {
  staticResolver,
  functionResolver,
  pickFirst,
  roundRobin,
  leastLoaded,
  type BalancedChannelEvents,
  type BalancedChannelState,
  type EndpointStatus,
  type EndpointState,
  type DnsResolverOptions,
  type BalancingPolicy,
  type PolicyName,
  type Pickable,
} from './client/balancer';
export type { CallChannel } from './client/call-channel';
export type { ParentCall } from './client/parent-call';
export type { RetryThrottleOptions } from './client/retry/retry-policy';
export type { WorkerPoolEvents, WorkerInfo, ServeWorkerOptions } from './cluster';
export { WebSocketListener, webSocketDialer, WebSocketCloseCode, type WebSocketDialerOptions, type OriginPolicy } from './transport/websocket';
export type { StreamDialer } from './transport/tcp/frame-client';
export type { PushBusNode, BusMessage, BusTarget } from './push/push-bus';
export { InProcessPushBus } from './push/in-process-bus';
export type { ConnectionDirectory, PushConnection } from './push/connection-directory';
export { serverDirectory } from './push/server-directory';
export type { RedisPushBusEvents, RedisPushBusStats, RedisBusConnection } from './push/redis/redis-push-bus';
export type { RedisPublisher, RedisSubscriber } from './push/redis/redis-clients';
