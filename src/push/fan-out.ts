// Encode once, send many: one protobuf encode and one frame per encoding variant per push, whatever the recipient count.
import { encodeFrame } from '../transport/shared-frame';
import { CloseCode, FrameKind } from '../codec/wire';
import type { PushSource } from './push-source';
import type { PushPolicy } from './push-options';
import type { PushMember } from './push-registry';

/** What one push did: connections it was queued for, and connections it skipped because they fell behind. */
export interface Delivery {
  sent: number;
  dropped: number;
  /** True when the push was also handed to the bus for other nodes (false: no other nodes, or the bus dropped it). */
  published: boolean;
}

import type { PushHubStats } from './push-stats';

export type { PushHubStats };

/** A recipient that fell behind, as reported to the hub's 'slowConsumer' event. */
export interface SlowConsumer {
  readonly connectionId: number;
  readonly topic: string;
  readonly room: string | undefined;
  /** Unsent outbound bytes of the connection when the push was refused. */
  readonly backlogBytes: number;
  readonly maxPushBacklogBytes: number;
  readonly action: 'dropped' | 'disconnected';
}

/** Where a push goes, and under which policy. `room` is only for reporting. */
export interface FanOutTarget {
  readonly recipients: Iterable<PushMember>;
  readonly except: number | undefined;
  readonly room: string | undefined;
  readonly policy: PushPolicy;
}

// Variant index into the frame cache: compressed for peers that accept compression, plain for the rest.
const PLAIN = 0;
const COMPRESSED = 1;

/** Pushes held for a delayed flush (PushHubOptions.flushDelayMs): who has frames waiting, once each. */
export interface DeferredFlush {
  readonly round: number;
  readonly members: PushMember[];
}

/**
 * Pushes `source` to the recipients subscribed to its topic. The payload is encoded on the first
 * eligible recipient (or came encoded from another node), the frame once per variant on the first recipient needing it (lazily), and the
 * same bytes are handed to `sendEncoded` of every recipient; with `deferred` they wait for the hub's
 * delayed flush (flushDelayMs), otherwise for the end of the event-loop pass, so each connection gets
 * one socket write for all the pushes of that time. A recipient whose backlog would pass the policy's
 * `maxPushBacklogBytes` is skipped (counted) or closed, so memory per connection stays bounded.
 */
export function fanOut(source: PushSource, target: FanOutTarget, stats: PushHubStats, onSlow: (slow: SlowConsumer) => void, deferred?: DeferredFlush): Delivery {
  const delivery: Delivery = { sent: 0, dropped: 0, published: false };
  const { maxPushBacklogBytes, slowConsumer } = target.policy;
  const path = source.path;
  let payload: Buffer | undefined;
  const frames: (Buffer | undefined)[] = [undefined, undefined];
  for (const member of target.recipients) {
    if (member.id === target.except || !member.topics.has(path)) continue;
    const connection = member.connection;
    if (!connection.writable) continue; // closing: its disconnect cleans it up
    member.batch?.settle(member); // its shared broadcasts of the round so far go first
    payload ??= source.payload();
    const encoding = connection.encoding;
    const variant = payload.length >= encoding.compressMinBytes ? COMPRESSED : PLAIN;
    let frame = frames[variant];
    if (!frame) {
      // The xorKey is the same for every connection of a server, so one frame per variant fits all.
      frame = encodeFrame(FrameKind.PUSH, 0, 0, payload, encoding);
      frames[variant] = frame;
      stats.framesEncoded++;
    }
    const backlog = connection.outboundBytes;
    if (backlog + frame.length > maxPushBacklogBytes) {
      delivery.dropped++;
      member.dropped++;
      stats.dropped++;
      const disconnect = slowConsumer === 'disconnect';
      if (disconnect) {
        stats.slowDisconnects++;
        connection.close(CloseCode.OUTBOUND_OVERFLOW, `fell behind on pushes: ${backlog} bytes unsent, past maxPushBacklogBytes (${maxPushBacklogBytes}) at ${path}; read faster or subscribe to less`);
      }
      onSlow({ connectionId: member.id, topic: path, room: target.room, backlogBytes: backlog, maxPushBacklogBytes, action: disconnect ? 'disconnected' : 'dropped' });
      continue;
    }
    if (connection.sendEncoded(frame, deferred !== undefined)) {
      if (deferred && member.flushRound !== deferred.round) {
        member.flushRound = deferred.round;
        deferred.members.push(member);
      }
      delivery.sent++;
      member.sent++;
      stats.sent++;
    } else {
      delivery.dropped++;
      member.dropped++;
      stats.dropped++;
    }
  }
  return delivery;
}
