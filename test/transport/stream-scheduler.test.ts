// The stream scheduler: whole-message credit in order of asking, 64 KiB fragments in turn, per-stream frame order.
import { ConnectionFlow } from '../../src/transport/connection-flow';
import { StreamScheduler, type SchedulerHost } from '../../src/transport/stream-scheduler';
import { FRAGMENT_BYTES, FrameFlag, FrameKind } from '../../src/codec/wire';

interface Sent {
  kind: number;
  flags: number;
  id: number;
  bytes: number;
}

/** A host whose socket takes everything at once (outbound stays 0) unless `blocked`. */
function setup(credit: number, highWater = 1024 * 1024): { scheduler: StreamScheduler; flow: ConnectionFlow; sent: Sent[]; host: { outbound: number; needDrain: boolean } } {
  const sent: Sent[] = [];
  const state = { outbound: 0, needDrain: false };
  const host: SchedulerHost = {
    sendOwned(kind, flags, id, payload) {
      sent.push({ kind, flags, id, bytes: payload.length });
      return true;
    },
    get outboundBytes() {
      return state.outbound;
    },
    flushForDrain: () => state.needDrain,
  };
  const flow = new ConnectionFlow(1 << 20, credit, undefined, { sendWindow: () => undefined });
  return { scheduler: new StreamScheduler(host, flow, highWater, highWater, undefined), flow, sent, host: state };
}

test('a small message with credit and room goes at once, unqueued; a big one is fragmented with MORE on all but the last', () => {
  const { scheduler, sent, flow } = setup(1 << 20);
  expect(scheduler.trySendNow(1, 100)).toBe(true);
  expect(flow.sendCredit).toBe((1 << 20) - 100);
  expect(scheduler.trySendNow(3, FRAGMENT_BYTES + 1)).toBe(false); // too big for one frame
  scheduler.queueMessage(3, Buffer.alloc(FRAGMENT_BYTES * 2 + 10), true);
  expect(sent.map((s) => [s.kind, s.flags, s.id, s.bytes])).toEqual([
    [FrameKind.MESSAGE, FrameFlag.MORE, 3, FRAGMENT_BYTES],
    [FrameKind.MESSAGE, FrameFlag.MORE, 3, FRAGMENT_BYTES],
    [FrameKind.MESSAGE, FrameFlag.END_STREAM, 3, 10],
  ]);
  expect(scheduler.hasQueued(3)).toBe(false);
});

test('a message waits until the connection credit covers it whole; waiters start in the order they asked', () => {
  const { scheduler, sent, flow } = setup(1000);
  scheduler.queueMessage(1, Buffer.alloc(800), false);
  scheduler.queueMessage(3, Buffer.alloc(500), false); // 200 left: waits
  scheduler.queueMessage(5, Buffer.alloc(100), false); // would fit, but 3 asked first
  expect(sent.map((s) => s.id)).toEqual([1]);
  expect(scheduler.trySendNow(7, 10)).toBe(false); // nobody jumps the queue
  flow.granted(300);
  scheduler.pump();
  expect(sent.map((s) => s.id)).toEqual([1, 3]);
  flow.granted(100);
  scheduler.pump();
  expect(sent.map((s) => s.id)).toEqual([1, 3, 5]);
});

test('frames on a stream with queued messages wait behind them (a STATUS after its response)', () => {
  const { scheduler, sent, flow } = setup(100);
  scheduler.queueMessage(1, Buffer.alloc(500), false);
  scheduler.sendFrame(1, FrameKind.STATUS, FrameFlag.END_STREAM, Buffer.alloc(8));
  scheduler.sendFrame(3, FrameKind.STATUS, FrameFlag.END_STREAM, Buffer.alloc(8)); // another stream: at once
  expect(sent.map((s) => [s.kind, s.id])).toEqual([[FrameKind.STATUS, 3]]);
  flow.granted(400);
  scheduler.pump();
  expect(sent.map((s) => [s.kind, s.id])).toEqual([
    [FrameKind.STATUS, 3],
    [FrameKind.MESSAGE, 1],
    [FrameKind.STATUS, 1],
  ]);
});

test('started messages leave one fragment per stream in turn, and only below the high-water mark', () => {
  const { scheduler, sent, host } = setup(1 << 24, 1);
  host.outbound = 10;
  host.needDrain = true;
  scheduler.queueMessage(1, Buffer.alloc(FRAGMENT_BYTES * 3), false);
  scheduler.queueMessage(3, Buffer.alloc(FRAGMENT_BYTES * 2), false);
  expect(sent).toEqual([]); // over the high-water mark: nothing goes until drain
  host.outbound = 0;
  scheduler.onDrain();
  expect(sent.map((s) => s.id)).toEqual([1, 3, 1, 3, 1]);
});

test('a dropped stream frees its queued bytes and gets back the credit of what never left', () => {
  const { scheduler, sent, flow, host } = setup(1 << 24, FRAGMENT_BYTES);
  const send = (scheduler as unknown as { host: SchedulerHost }).host;
  const original = send.sendOwned.bind(send);
  send.sendOwned = (kind, flags, id, payload) => {
    host.outbound += payload.length; // the socket keeps what it is given: one fragment reaches the mark
    host.needDrain = true;
    return original(kind, flags, id, payload);
  };
  scheduler.queueMessage(1, Buffer.alloc(FRAGMENT_BYTES * 4), false);
  expect(sent).toHaveLength(1);
  expect(flow.sendCredit).toBe((1 << 24) - FRAGMENT_BYTES * 4);
  expect(scheduler.queuedBytes).toBe(FRAGMENT_BYTES * 3);
  scheduler.drop(1);
  expect(flow.sendCredit).toBe((1 << 24) - FRAGMENT_BYTES);
  expect(scheduler.queuedBytes).toBe(0);
});
