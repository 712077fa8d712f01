// framerpc in the browser: typed calls and push over WebSocket. Bundled (esbuild) into dist/browser/framerpc.js.
export { createChannel, type BrowserChannelOptions } from './create-channel';
export type { Channel, ChannelEvents } from '../client/channel';
export { createClient, type Client, type ClientMethod } from '../client/create-client';
export type { CallOptions } from '../client/call-options';
export type { ClientInterceptor, ClientCallInfo } from '../client/client-interceptor';
export { Status, statusName } from '../rpc/status';
export { RpcError } from '../rpc/rpc-error';
export { Metadata, type MetadataValue } from '../rpc/metadata';
export type { ServiceDefinition, MethodDefinition, RequestOf, ResponseOf, DeepPartial } from '../service/service-definition';
export type { CloseInfo } from '../transport/close-info';
export type { ClientState } from '../transport/tcp/frame-client';
export type { BackoffOptions } from '../transport/backoff';
export { subscribePush, joinRoom, leaveRoom, type PushSubscription, type PushTopic, type SubscribePushOptions } from '../push/subscribe-push';
export { PushError, PushErrorCode } from '../push/push-error';
