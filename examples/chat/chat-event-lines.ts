// The chat's pushes as text lines: shared by the Node chat client and the web page (imports nothing Node-only).
import type { ChatEventsDefinition } from '../../generated/chat/chat';
import type { PushSubscription } from '../../src/push/subscribe-push';

/** Calls `onLine` with one line per push of `events`: "[room #seq] from: text", "bob joined lobby", ... */
export function followChatEvents(events: PushSubscription<typeof ChatEventsDefinition>, onLine: (line: string) => void): void {
  events.messagePosted.on((m) => onLine(`[${m.room} #${m.seq}] ${m.from}: ${m.text}`));
  events.userJoined.on((e) => onLine(`${e.user} joined ${e.room}`));
  events.userLeft.on((e) => onLine(`${e.user} left ${e.room}`));
}
