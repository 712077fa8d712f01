// The typed server-side emitter of one event service: pick recipients, then call one method per event.
import type { ServiceDefinition } from '../service/service-definition';
import type { EventMessages, EventTopic } from './event-topics';
import type { Delivery } from './fan-out';

/** One method per event of service D: pushes the typed message, returns how many it reached. */
export type PushEvents<D extends ServiceDefinition> = {
  readonly [K in keyof D['methods']]: (message: EventMessages<D>[K]) => Delivery;
};

/** Recipients to leave out of a room or broadcast push (typically the sender). */
export interface ExceptOptions {
  /**
   * A connection not to push to: its id on this node (CallContext.connectionId) or its global id
   * ("nodeId:connectionId", PushHub.globalId) on any node.
   */
  except?: number | string;
}

/** Picks the recipients of pushes of event service D. Only connections subscribed to a topic get its pushes. */
export interface PushEmitter<D extends ServiceDefinition> {
  /** The topics of the event service, by method key. */
  readonly topics: { readonly [K in keyof D['methods']]: string };
  /**
   * Pushes to one connection, if it is open and subscribed: by its id on this node, or by its global id
   * ("nodeId:connectionId") on whichever node of the bus holds it.
   */
  toConnection(connectionId: number | string): PushEvents<D>;
  /** Pushes to the members of a room on every node of the bus, each under its node's room policy. */
  toRoom(room: string, options?: ExceptOptions): PushEvents<D>;
  /** Pushes to every subscribed connection of every node of the bus. */
  toAll(options?: ExceptOptions): PushEvents<D>;
  /** Pushes to every subscribed connection of every node but one (typically the sender). */
  toAllExcept(connectionId: number | string): PushEvents<D>;
}

/** @internal Where an emitter's push goes; the hub resolves it to recipients and a policy. */
export type PushTarget =
  | { readonly kind: 'connection'; readonly connectionId: number | string }
  | { readonly kind: 'room'; readonly room: string; readonly except: number | string | undefined }
  | { readonly kind: 'all'; readonly except: number | string | undefined };

/** @internal What an emitter needs from its hub. */
export type PushFn = (topic: EventTopic, target: PushTarget, message: unknown) => Delivery;

const TARGET = Symbol('framerpc.pushTarget');
type Targeted = { [TARGET]: PushTarget };

/**
 * @internal Builds an emitter. The event methods live on one prototype per emitter, so `toRoom(...)` costs
 * one small object per push rather than one closure per event.
 */
export function createPushEmitter<D extends ServiceDefinition>(topics: readonly EventTopic[], push: PushFn): PushEmitter<D> {
  const proto: Record<string, unknown> = {};
  const paths: Record<string, string> = {};
  for (const topic of topics) {
    paths[topic.key] = topic.path;
    proto[topic.key] = function (this: Targeted, message: unknown): Delivery {
      return push(topic, this[TARGET], message);
    };
  }
  Object.freeze(proto);
  const events = (target: PushTarget): PushEvents<D> => {
    const object = Object.create(proto) as Targeted;
    object[TARGET] = target;
    return object as unknown as PushEvents<D>;
  };
  return Object.freeze({
    topics: Object.freeze(paths) as PushEmitter<D>['topics'],
    toConnection: (connectionId: number | string) => events({ kind: 'connection', connectionId }),
    toRoom: (room: string, options?: ExceptOptions) => events({ kind: 'room', room, except: options?.except }),
    toAll: (options?: ExceptOptions) => events({ kind: 'all', except: options?.except }),
    toAllExcept: (connectionId: number | string) => events({ kind: 'all', except: connectionId }),
  });
}
