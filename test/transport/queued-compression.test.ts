// The per-message compression choices of queued messages: in order per stream, a fragment without MORE
// ending a message, and streams dropped with messages still queued forgotten.
import { QueuedCompression } from '../../src/transport/queued-compression';

describe('QueuedCompression', () => {
  test('hands out each stream its choices in order, one per message, whatever the fragments', () => {
    const queued = new QueuedCompression();
    const isQueued = (): boolean => true;
    queued.record(1, true, { hasQueued: isQueued });
    queued.record(3, false, { hasQueued: isQueued });
    queued.record(1, undefined, { hasQueued: isQueued });
    queued.record(1, false, { hasQueued: isQueued });
    expect(queued.take(1, false)).toBe(true); // first fragment of message 1
    expect(queued.take(1, true)).toBe(true); // its last
    expect(queued.take(3, true)).toBe(false);
    expect(queued.take(1, true)).toBeUndefined();
    expect(queued.take(1, true)).toBe(false);
    expect(queued.streamCount).toBe(0);
    expect(queued.take(7, true)).toBeUndefined(); // nothing recorded: the connection's rule
  });

  test('forgets streams the scheduler dropped (cancelled calls), so entries stay bounded', () => {
    const queued = new QueuedCompression();
    const live = new Set<number>();
    let most = 0;
    for (let id = 1; id <= 2000; id++) {
      queued.record(id, true, { hasQueued: (streamId) => live.has(streamId) }); // every stream dropped with its message
      most = Math.max(most, queued.streamCount);
    }
    expect(most).toBe(64);
    live.add(2001);
    queued.record(2001, false, { hasQueued: (streamId) => live.has(streamId) });
    expect(queued.take(2001, true)).toBe(false);
  });
});
