// The EchoService handler: a decorated class bound to the generated definition, built by the DI container.
import { RpcError, RpcService, Status, type CallContext } from '../../src';
import { EchoServiceDefinition, type EchoReply, type EchoRequest, type EchoStreamRequest, type WhoAmIReply, type WhoAmIRequest } from '../../generated/echo/echo';
import { RequestCounter } from './request-counter';

@RpcService(EchoServiceDefinition)
export class EchoHandler {
  // Injected by tsyringe from the constructor's parameter type.
  constructor(private readonly counter: RequestCounter) {}

  echo(request: EchoRequest): EchoReply {
    return { text: request.text, servedBy: this.counter.next() };
  }

  async *echoStream(request: EchoStreamRequest, context: CallContext): AsyncIterable<EchoReply> {
    if (request.count > 1000) throw new RpcError(Status.INVALID_ARGUMENT, 'count must be at most 1000');
    for (let i = 0; i < request.count && !context.aborted; i++) {
      yield { text: `${request.text} #${i + 1}`, servedBy: this.counter.next() };
    }
  }

  whoAmI(_request: WhoAmIRequest, context: CallContext): WhoAmIReply {
    const user = context.metadata.get('user');
    if (typeof user !== 'string') throw new RpcError(Status.UNAUTHENTICATED, 'send your name in the "user" metadata');
    this.counter.next();
    return { user, peer: context.peer };
  }
}
