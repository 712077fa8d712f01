// The seam between a hub and the other nodes of a service: publish a push to a target, receive theirs.

/**
 * Where a cross-node push goes. Connections are named by their global id ("nodeId:connectionId",
 * see PushHub.globalId), so a connection of any node can be the target or the one left out.
 */
export type BusTarget =
  | { readonly kind: 'all'; readonly except: string | undefined }
  | { readonly kind: 'room'; readonly room: string; readonly except: string | undefined }
  | { readonly kind: 'connection'; readonly nodeId: string; readonly connectionId: number };

/**
 * One push crossing nodes: the PUSH payload the publishing node encoded once (topic length, topic path,
 * protobuf message; docs/push.md section 2), so a receiving node only frames it for its local members.
 */
export interface BusMessage {
  /** The nodeId of the hub that published it. */
  readonly origin: string;
  readonly target: BusTarget;
  readonly payload: Buffer;
}

/** The hub side of a bus: its node id and where pushes from other nodes go. */
export interface PushBusNode {
  readonly nodeId: string;
  /** A push published by another node, for this node's local connections. */
  receive(message: BusMessage): void;
}

/**
 * Carries pushes between the hubs of several processes. A hub calls `attach` once, `publish` for every
 * push that may have recipients elsewhere (after its own local fan-out), and `detach` when it stops.
 * Delivery is at most once: a bus drops what it cannot carry (counted by the implementation) rather
 * than queueing without bound.
 */
export interface PushBus {
  /** True when other nodes may be listening: a hub skips `publish` (and its encoding) otherwise. */
  readonly shared: boolean;
  attach(node: PushBusNode): void;
  detach(node: PushBusNode): void;
  /** Hands a push to the other nodes (never back to `message.origin`); false when it was dropped. */
  publish(message: BusMessage): boolean;
  /**
   * Optional: the attached hub's first member of `room` joined (`watching` true) or its last one left
   * (false). A bus with a channel per room listens only to the rooms its node has members in.
   */
  watchRoom?(room: string, watching: boolean): void;
}

// A node id goes into channel names and global connection ids: keep it short and plain.
const NODE_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** True when `nodeId` can name a node (1 to 64 of A-Z a-z 0-9 _ . -). */
export function isValidNodeId(nodeId: string): boolean {
  return typeof nodeId === 'string' && NODE_ID_PATTERN.test(nodeId);
}

/** "nodeId:connectionId": a connection's id unique across every node of a service. */
export function globalConnectionId(nodeId: string, connectionId: number): string {
  return `${nodeId}:${connectionId}`;
}

/** The parts of a global connection id, or undefined if it is not one. */
export function parseGlobalConnectionId(id: string): { nodeId: string; connectionId: number } | undefined {
  const colon = id.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const nodeId = id.slice(0, colon);
  const connectionId = Number(id.slice(colon + 1));
  if (!isValidNodeId(nodeId) || !Number.isInteger(connectionId) || connectionId <= 0 || connectionId > 0xffff_ffff) return undefined;
  return { nodeId, connectionId };
}
