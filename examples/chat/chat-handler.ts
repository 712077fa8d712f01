// The Chat service's handler: a @RpcService class built by tsyringe, with the PushHub injected.
import 'reflect-metadata';
import { inject } from 'tsyringe';
import { PushHub, RpcError, RpcService, Status, type CallContext } from '../../src';
import { ChatDefinition, ChatEventsDefinition, type PostReply, type PostRequest, type WhoReply, type WhoRequest } from '../../generated/chat/chat';
import { ChatRoster } from './chat-roster';

/** Posts go to the other members of the room as MessagePosted pushes; the reply says how many got it. */
@RpcService(ChatDefinition)
export class ChatHandler {
  private readonly seqByRoom = new Map<string, number>();

  constructor(
    @inject(PushHub) private readonly hub: PushHub,
    @inject(ChatRoster) private readonly roster: ChatRoster,
  ) {}

  post(request: PostRequest, context: CallContext): PostReply {
    if (!this.hub.members(request.room).includes(context.connectionId)) {
      throw new RpcError(Status.FAILED_PRECONDITION, `join room ${JSON.stringify(request.room)} before posting to it`);
    }
    const seq = (this.seqByRoom.get(request.room) ?? 0) + 1;
    this.seqByRoom.set(request.room, seq);
    const from = this.roster.nameOf(context.connectionId);
    const delivery = this.hub.emitter(ChatEventsDefinition).toRoom(request.room, { except: context.connectionId }).messagePosted({ room: request.room, from, text: request.text, seq });
    return { seq, delivered: delivery.sent, dropped: delivery.dropped };
  }

  who(request: WhoRequest): WhoReply {
    return {
      users: this.hub
        .members(request.room)
        .map((id) => this.roster.nameOf(id))
        .sort(),
    };
  }
}
