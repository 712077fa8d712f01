// The client's typed view of an event service: one handle per event, with listeners and `for await`.
import type { CallOptions } from '../client/call-options';
import type { Channel } from '../client/channel';
import type { ServiceDefinition } from '../service/service-definition';
import { eventTopicsOf, type EventMessages } from './event-topics';
import { PushError, PushErrorCode } from './push-error';
import { PushQueue } from './push-queue';
import { PushRouter } from './push-router';

/** The pushes of one event (topic), typed. */
export interface PushTopic<T> extends AsyncIterable<T> {
  /** The topic path: "/chat.v1.ChatEvents/MessagePosted". */
  readonly path: string;
  /** Calls `listener` with every push of this topic; returns the function that stops it. */
  on(listener: (message: T) => void): () => void;
  /** Messages dropped (oldest first) because a `for await` consumer of this topic fell `maxBufferedPushes` behind. */
  readonly dropped: number;
}

/** What every subscription has besides its events. */
export interface PushSubscriptionControl {
  /** Resolves once the server knows about every listener and iterator attached so far; rejects if it refused. */
  ready(): Promise<void>;
  /** Removes every listener, ends every iterator of this subscription, and unsubscribes what nobody else wants. */
  close(): void;
  readonly closed: boolean;
}

/** A typed subscription to event service D: `events.messagePosted.on(...)`, `for await (const m of events.userJoined)`. */
export type PushSubscription<D extends ServiceDefinition> = {
  readonly [K in keyof D['methods']]: PushTopic<EventMessages<D>[K]>;
} & PushSubscriptionControl;

export interface SubscribePushOptions {
  /** Messages one `for await` consumer may fall behind before the oldest is dropped. Default 1024. */
  maxBufferedPushes?: number;
}

const RESERVED = new Set(['ready', 'close', 'closed']);

/**
 * Subscribes `channel` to the events of `definition` (a ts-proto event-service definition). A topic is
 * subscribed on the server while it has a listener or an iterator, and again after every reconnect;
 * pushes sent while the channel was disconnected are lost (at-most-once; docs/push.md).
 */
export function subscribePush<D extends ServiceDefinition>(definition: D, channel: Channel, options: SubscribePushOptions = {}): PushSubscription<D> {
  const capacity = options.maxBufferedPushes ?? 1024;
  if (!Number.isInteger(capacity) || capacity < 1) throw new PushError(PushErrorCode.BAD_OPTION, `subscribePush option maxBufferedPushes must be a positive integer, got ${String(capacity)}`);
  const router = PushRouter.for(channel);
  const stops = new Set<() => void>();
  let closed = false;
  const subscription: Record<string, unknown> = {};
  for (const topic of eventTopicsOf(definition)) {
    if (RESERVED.has(topic.key)) {
      throw new PushError(PushErrorCode.RESERVED_EVENT_NAME, `event ${topic.path} has the key ${JSON.stringify(topic.key)}, which a subscription uses itself; rename the rpc in the .proto`);
    }
    let dropped = 0;
    const listen = (listener: (message: unknown) => void): (() => void) => {
      if (closed) throw new PushError(PushErrorCode.CLOSED, `the subscription to ${definition.fullName} is closed; call subscribePush again`);
      const remove = router.listen(topic, listener);
      const stop = (): void => {
        stops.delete(stop);
        remove();
      };
      stops.add(stop);
      return stop;
    };
    const handle: PushTopic<unknown> = {
      path: topic.path,
      on: listen,
      get dropped() {
        return dropped;
      },
      [Symbol.asyncIterator]() {
        let stopListening = (): void => {};
        const end = (): void => queue.end();
        // Ending the queue (break, return(), or close() below) removes its listener.
        const queue: PushQueue<unknown> = new PushQueue(
          capacity,
          () => dropped++,
          () => {
            stops.delete(end);
            stopListening();
          },
        );
        stopListening = listen((message) => queue.push(message));
        stops.delete(stopListening);
        stops.add(end);
        return queue;
      },
    };
    subscription[topic.key] = Object.freeze(handle);
  }
  subscription.ready = () => router.ready();
  subscription.close = () => {
    closed = true;
    for (const stop of [...stops]) stop();
  };
  Object.defineProperty(subscription, 'closed', { get: () => closed, enumerable: true });
  return Object.freeze(subscription) as PushSubscription<D>;
}

/**
 * Joins a room through PushControl.Join (so the server's interceptors see `options.metadata`). The room
 * is joined again, with the same metadata, each time the channel reconnects, until leaveRoom.
 */
export function joinRoom(channel: Channel, room: string, options?: CallOptions): Promise<void> {
  return PushRouter.for(channel).join(room, options);
}

/** Leaves a room (PushControl.Leave) and stops re-joining it on reconnect. */
export function leaveRoom(channel: Channel, room: string, options?: CallOptions): Promise<void> {
  return PushRouter.for(channel).leave(room, options);
}
