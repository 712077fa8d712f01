import { CloseCode } from '../../src';
import { FrameError } from '../../src/codec/frame-error';
import { decodePushPayload, encodePushPayload, isValidRoom, isValidTopic } from '../../src/push/push-wire';
import { PushQueue } from '../../src/push/push-queue';
import { PushRegistry } from '../../src/push/push-registry';
import type { FrameConnection } from '../../src/transport/tcp/frame-connection';

describe('PUSH payload codec', () => {
  const topic = Buffer.from('/chat.v1.ChatEvents/MessagePosted', 'latin1');

  test('round-trips topic and message; the message is a view', () => {
    const payload = encodePushPayload(topic, Uint8Array.from([1, 2, 3]));
    expect(payload[0]).toBe(topic.length);
    const decoded = decodePushPayload(0, payload);
    expect(decoded.topic).toBe('/chat.v1.ChatEvents/MessagePosted');
    expect([...decoded.message]).toEqual([1, 2, 3]);
    expect(decoded.message.buffer).toBe(payload.buffer);
    expect(decodePushPayload(0, encodePushPayload(topic, new Uint8Array(0))).message.length).toBe(0);
  });

  test.each([
    ['a non-zero stream id', 7, encodePushPayload(topic, new Uint8Array(0)), /stream 7/],
    ['an empty payload', 0, Buffer.alloc(0), /empty/],
    ['a zero-length topic', 0, Buffer.from([0, 1]), /does not fit/],
    ['a topic cut off', 0, Buffer.concat([Buffer.from([40]), topic.subarray(0, 10)]), /does not fit/],
  ])('rejects %s with a PROTOCOL_ERROR FrameError', (_name, streamId, payload, message) => {
    let error: unknown;
    try {
      decodePushPayload(streamId, payload);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FrameError);
    expect(error).toMatchObject({ closeCode: CloseCode.PROTOCOL_ERROR, message: expect.stringMatching(message) });
  });

  test('topics are method paths of printable ASCII, rooms 1-255 UTF-8 bytes', () => {
    expect(isValidTopic('/a.B/C')).toBe(true);
    for (const bad of ['', 'a.B/C', '/a.B', '/a B/C', `/${'x'.repeat(254)}/y`, '/é/x']) expect(isValidTopic(bad)).toBe(false);
    expect(isValidRoom('lobby')).toBe(true);
    expect(isValidRoom('é'.repeat(127))).toBe(true);
    expect(isValidRoom('é'.repeat(128))).toBe(false);
    expect(isValidRoom('')).toBe(false);
  });
});

describe('PushQueue (the buffer of a for-await consumer)', () => {
  test('keeps the newest `capacity` messages and counts the dropped ones', async () => {
    let dropped = 0;
    let ended = 0;
    const queue = new PushQueue<number>(
      3,
      () => dropped++,
      () => ended++,
    );
    for (let i = 0; i < 5000; i++) queue.push(i);
    expect(queue.size).toBe(3);
    expect(dropped).toBe(4997);
    expect([(await queue.next()).value, (await queue.next()).value, (await queue.next()).value]).toEqual([4997, 4998, 4999]);
    const waiting = queue.next();
    queue.push(5000);
    expect(await waiting).toEqual({ value: 5000, done: false });
    queue.push(5001);
    queue.end();
    expect(await queue.next()).toEqual({ value: 5001, done: false });
    expect(await queue.next()).toEqual({ value: undefined, done: true });
    queue.push(1);
    expect(queue.size).toBe(0);
    expect(ended).toBe(1);
  });

  test('return() ends a waiting consumer and reports the end once', async () => {
    let ended = 0;
    const queue = new PushQueue<number>(
      3,
      () => undefined,
      () => ended++,
    );
    const waiting = queue.next();
    await queue.return();
    expect(await waiting).toEqual({ value: undefined, done: true });
    await queue.return();
    expect(ended).toBe(1);
  });
});

describe('PushRegistry', () => {
  const connection = (id: number) => ({ id, writable: true }) as unknown as FrameConnection;

  test('indexes both ways and forgets empty sets', () => {
    const registry = new PushRegistry();
    const a = registry.memberFor(connection(1));
    const b = registry.memberFor(connection(2));
    expect(registry.memberFor(connection(1))).toBe(a);
    registry.subscribe(a, '/t.S/A');
    registry.subscribe(b, '/t.S/A');
    expect(registry.join(a, 'r')).toBe(true);
    expect(registry.join(a, 'r')).toBe(false);
    expect(registry.join(b, 's')).toBe(true);
    expect([...registry.subscribersOf('/t.S/A')]).toEqual([a, b]);
    expect(registry.remove(1)).toEqual(['r']);
    expect([...registry.subscribersOf('/t.S/A')]).toEqual([b]);
    expect(registry.roomCount).toBe(1);
    expect(registry.leave(b, 's')).toBe(true);
    registry.unsubscribe(b, '/t.S/A');
    expect([registry.roomCount, registry.topicCount, registry.memberCount]).toEqual([0, 0, 1]);
    expect(registry.remove(42)).toEqual([]);
  });
});
