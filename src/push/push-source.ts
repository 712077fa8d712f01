// Where a push's bytes come from: encoded here once on first use, or received encoded from another node.
import type { EventTopic } from './event-topics';
import type { PushHubStats } from './push-stats';
import { encodePushPayload } from './push-wire';

/** A push's topic path and its PUSH payload, encoded on first use (or received already encoded from the bus). */
export interface PushSource {
  readonly path: string;
  payload(): Buffer;
}

/** The source of a push made on this node: encodes the message at most once, whoever asks first. */
export class LocalPushSource implements PushSource {
  private bytes: Buffer | undefined;

  constructor(
    private readonly topic: EventTopic,
    private readonly message: unknown,
    private readonly stats: PushHubStats,
  ) {}

  get path(): string {
    return this.topic.path;
  }

  get encoded(): boolean {
    return this.bytes !== undefined;
  }

  payload(): Buffer {
    if (!this.bytes) {
      this.bytes = encodePushPayload(this.topic.pathBytes, this.topic.codec.encode(this.message).finish());
      this.stats.messagesEncoded++;
    }
    return this.bytes;
  }
}

/** A push received from another node: the payload it encoded, and its topic path read from it. */
export class RemotePushSource implements PushSource {
  constructor(
    readonly path: string,
    private readonly bytes: Buffer,
  ) {}

  payload(): Buffer {
    return this.bytes;
  }
}
