// Between an emitter's target and the bus's: local and global connection ids, and the topic of a received payload.
import { PushError, PushErrorCode } from './push-error';
import { globalConnectionId, parseGlobalConnectionId } from './push-bus';
import { isValidTopic } from './push-wire';

/** A connection named by the user (local number or global string), as this node and the bus see it. */
export interface ResolvedConnection {
  /** Its id on this node, when it lives here. */
  readonly local: number | undefined;
  /** Its global id ("nodeId:connectionId"). */
  readonly global: string;
  readonly nodeId: string;
  readonly connectionId: number;
}

/**
 * Resolves `id` on node `nodeId`: a number is a connection of this node, a string a global id of any
 * node. A string that is not "nodeId:connectionId" is a misuse (PushError BAD_CONNECTION_ID).
 */
export function resolveConnection(id: number | string, nodeId: string): ResolvedConnection {
  if (typeof id === 'number') return { local: id, global: globalConnectionId(nodeId, id), nodeId, connectionId: id };
  const parsed = parseGlobalConnectionId(id);
  if (!parsed)
    throw new PushError(
      PushErrorCode.BAD_CONNECTION_ID,
      `${JSON.stringify(String(id).slice(0, 80))} is not a connection id: pass CallContext.connectionId (a number) or hub.globalId(connectionId) ("nodeId:connectionId")`,
    );
  return { local: parsed.nodeId === nodeId ? parsed.connectionId : undefined, global: id, nodeId: parsed.nodeId, connectionId: parsed.connectionId };
}

/** The local id of a global `except` received from the bus, if that connection lives on node `nodeId`. */
export function localExcept(except: string | undefined, nodeId: string): number | undefined {
  if (except === undefined) return undefined;
  const parsed = parseGlobalConnectionId(except);
  return parsed && parsed.nodeId === nodeId ? parsed.connectionId : undefined;
}

/** The topic path at the start of a PUSH payload received from another node, or undefined if malformed. */
export function payloadTopic(payload: Buffer): string | undefined {
  if (payload.length < 1) return undefined;
  const end = 1 + payload[0];
  if (payload.length < end) return undefined;
  const topic = payload.toString('latin1', 1, end);
  return isValidTopic(topic) ? topic : undefined;
}
