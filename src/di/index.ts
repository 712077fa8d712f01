// The DI entry: loads reflect-metadata, then tsyringe, and gives the decorator, the resolver and the CallContext token.
import 'reflect-metadata';

export { RpcService, type RpcServiceOptions } from './rpc-service';
export { tsyringeResolver, type HandlerResolver } from './handler-resolver';
export { CALL_CONTEXT } from './tokens';
