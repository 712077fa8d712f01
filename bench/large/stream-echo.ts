// The bidi cell: one stream sends up to N large messages while reading their echoes, bounded in count and time.
import { performance } from 'node:perf_hooks';
import { CallFailures } from '../load/call-failures';
import { STALL_MS } from '../load/failing-closed-loop';
import type { LargeEchoClient } from './large-peer';

/** How much one stream may move. */
export interface StreamBounds {
  readonly messageBytes: number;
  /** Messages sent at most. */
  readonly maxMessages: number;
  /** No message is sent after this long; the stream then ends with the echoes still owed. */
  readonly sendForMs: number;
  /** The stream is abandoned (a failure) if it has not ended this long after it started. */
  readonly deadlineMs: number;
}

/** What one stream moved, and how it ended. */
export interface StreamResult {
  readonly sentMessages: number;
  readonly echoedMessages: number;
  /** From the first send to the last echo (or the failure). */
  readonly seconds: number;
  /** Echoed bytes per second, in MiB: each way, since every byte sent came back. */
  readonly mibPerSecond: number;
  readonly failures: CallFailures;
}

const MIB = 1024 * 1024;

/**
 * Streams `bounds.maxMessages` messages of `bounds.messageBytes` through `client.echoStream`, as fast as
 * the framework's flow control lets the sender go, and checks every echo's length. A stream with no echo
 * for STALL_MS, or past its deadline, is abandoned as failed (the client's close then ends it).
 */
export async function runStreamEcho(client: LargeEchoClient, bounds: StreamBounds): Promise<StreamResult> {
  const body = Buffer.alloc(bounds.messageBytes, 0x62);
  const failures = new CallFailures();
  const started = performance.now();
  const sendUntil = started + bounds.sendForMs;
  let sent = 0;
  let echoed = 0;
  let ended = started;
  let lastEcho = started;
  // Once the stream is given up on, its late end or failure no longer changes the result.
  let settled = false;
  async function* requests(): AsyncIterable<Buffer> {
    while (!settled && sent < bounds.maxMessages && performance.now() < sendUntil) {
      sent++;
      yield body;
    }
  }
  const read = async (): Promise<void> => {
    try {
      for await (const data of client.echoStream(requests())) {
        if (data.length !== bounds.messageBytes) throw new Error(`echo of ${data.length} bytes, expected ${bounds.messageBytes}`);
        echoed++;
        lastEcho = performance.now();
      }
      if (echoed !== sent) throw new Error(`stream ended after ${echoed} of ${sent} echoes`);
    } catch (error) {
      if (!settled) failures.add(error);
    }
    if (!settled) ended = performance.now();
  };
  let timer: NodeJS.Timeout | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  const abandoned = new Promise<void>((resolve) => {
    const abandon = (reason: string): void => {
      if (settled) return;
      settled = true;
      failures.add(new Error(`${reason} (${echoed} of ${sent} sent echoed)`));
      ended = performance.now();
      resolve();
    };
    timer = setTimeout(() => abandon(`stream did not end within ${bounds.deadlineMs} ms`), bounds.deadlineMs);
    watchdog = setInterval(() => {
      if (performance.now() - lastEcho > STALL_MS) abandon(`stalled: no echo for ${STALL_MS / 1000} s`);
    }, 500);
  });
  try {
    await Promise.race([read(), abandoned]);
  } finally {
    settled = true;
    clearTimeout(timer);
    clearInterval(watchdog);
  }
  const seconds = (ended - started) / 1000;
  return { sentMessages: sent, echoedMessages: echoed, seconds, mibPerSecond: seconds > 0 ? (echoed * bounds.messageBytes) / MIB / seconds : 0, failures };
}
