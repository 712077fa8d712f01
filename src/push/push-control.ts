// The server side of the built-in PushControl service: clients subscribe to topics and join rooms through it.
import { PushControlDefinition, type PushAck, type Room, type Topics } from '../../generated/framerpc/push/v1/push';
import type { CallContext } from '../service/call-context';
import { RpcError } from '../rpc/rpc-error';
import { Status } from '../rpc/status';
import type { ServiceImplementation } from '../service/handler-types';
import type { PushHubOptions } from './push-options';
import type { PushMember } from './push-registry';
import { isValidRoom, isValidTopic, MAX_ROOM_BYTES } from './push-wire';

/** @internal What the control service needs from its hub. */
export interface PushControlHost {
  readonly options: PushHubOptions;
  /** The member for an open connection, or undefined once it closed. */
  memberOf(connectionId: number): PushMember | undefined;
  subscribe(member: PushMember, topic: string): void;
  unsubscribe(member: PushMember, topic: string): void;
  join(member: PushMember, room: string, context: CallContext): void;
  leave(member: PushMember, room: string): void;
}

const ACK: PushAck = {};

/**
 * @internal Implements PushControl for a hub. It is registered like any service, so the server's
 * interceptors run first (authorise by `context.method` and metadata); `authorizeJoin` then sees the room.
 */
export function pushControlService(host: PushControlHost): ServiceImplementation<typeof PushControlDefinition> {
  const memberOf = (context: CallContext): PushMember => {
    const member = host.memberOf(context.connectionId);
    if (!member) throw new RpcError(Status.UNAVAILABLE, 'the connection is closing');
    return member;
  };
  return {
    subscribe(request: Topics, context: CallContext): PushAck {
      for (const topic of request.topics) {
        if (!isValidTopic(topic)) throw new RpcError(Status.INVALID_ARGUMENT, `not a topic path: ${JSON.stringify(topic.slice(0, 300))} (expected "/package.Service/Method")`);
      }
      const member = memberOf(context);
      const fresh = new Set(request.topics.filter((topic) => !member.topics.has(topic)));
      const limit = host.options.maxTopicsPerConnection;
      if (member.topics.size + fresh.size > limit) {
        throw new RpcError(Status.RESOURCE_EXHAUSTED, `a connection may subscribe to at most ${limit} topics (maxTopicsPerConnection); unsubscribe from some first`);
      }
      for (const topic of fresh) host.subscribe(member, topic);
      return ACK;
    },
    unsubscribe(request: Topics, context: CallContext): PushAck {
      const member = memberOf(context);
      for (const topic of request.topics) host.unsubscribe(member, topic);
      return ACK;
    },
    async join(request: Room, context: CallContext): Promise<PushAck> {
      const room = request.room;
      if (!isValidRoom(room)) throw new RpcError(Status.INVALID_ARGUMENT, `a room name must be 1 to ${MAX_ROOM_BYTES} UTF-8 bytes`);
      const authorize = host.options.authorizeJoin;
      if (authorize && !(await authorize(room, context))) {
        throw new RpcError(Status.PERMISSION_DENIED, `not allowed to join room ${JSON.stringify(room)}`);
      }
      const member = memberOf(context);
      const limit = host.options.maxRoomsPerConnection;
      if (!member.rooms.has(room) && member.rooms.size >= limit) {
        throw new RpcError(Status.RESOURCE_EXHAUSTED, `a connection may join at most ${limit} rooms (maxRoomsPerConnection); leave some first`);
      }
      host.join(member, room, context);
      return ACK;
    },
    leave(request: Room, context: CallContext): PushAck {
      host.leave(memberOf(context), request.room);
      return ACK;
    },
  };
}
