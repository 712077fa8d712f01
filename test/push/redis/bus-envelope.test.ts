import { decodeEnvelope, encodeEnvelope } from '../../../src/push/redis/bus-envelope';
import type { BusMessage } from '../../../src/push/push-bus';
import { requireRedisServer } from '../redis-helpers';

const payload = Buffer.from([3, 0x2f, 0x61, 0x2f, 9, 9]);

describe('bus envelope', () => {
  test.each<BusMessage>([
    { origin: 'node-a', target: { kind: 'all', except: undefined }, payload },
    { origin: 'node-a', target: { kind: 'all', except: 'node-b:7' }, payload },
    { origin: 'n', target: { kind: 'room', room: 'lobby \u00e9', except: 'node-a:1' }, payload },
    { origin: 'n', target: { kind: 'connection', nodeId: 'node-b', connectionId: 0xffff_fffe }, payload },
  ])('round-trips %j', (message) => {
    expect(decodeEnvelope(encodeEnvelope(message))).toEqual(message);
  });

  test('anything else is refused, never thrown: other version, unknown kind, cut off anywhere, no payload', () => {
    const bytes = encodeEnvelope({ origin: 'node-a', target: { kind: 'room', room: 'r', except: undefined }, payload });
    expect(decodeEnvelope(Buffer.concat([Buffer.from([2]), bytes.subarray(1)]))).toBeUndefined();
    expect(decodeEnvelope(Buffer.concat([bytes.subarray(0, 1), Buffer.from([9]), bytes.subarray(2)]))).toBeUndefined();
    for (let cut = 0; cut < bytes.length - payload.length; cut++) expect(decodeEnvelope(bytes.subarray(0, cut))).toBeUndefined();
  });
});

describe('the redis-server the tests need', () => {
  test('missing, it fails loudly, saying to install it', () => {
    expect(() => requireRedisServer('/nonexistent/redis-server')).toThrow(/redis-server is not installed.*apt-get install -y redis-server/);
  });
});
