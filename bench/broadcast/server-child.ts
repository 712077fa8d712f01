// Child side of a broadcast server: start it, report the port, answer samples (RSS, CPU, counters), stop on request.
import type { ServerChildMessage, ServerCounters, ServerParentMessage } from './messages';

/** A running broadcast server, as its child process sees it. */
export interface BroadcastServer {
  readonly port: number;
  connections(): number;
  counters(): ServerCounters;
  close(): Promise<void>;
}

const STOP_TIMEOUT_MS = 3000;
const STALL_TICK_MS = 50;
const STALL_LOG_ENTRIES = 4096;

/**
 * Event-loop stalls by wall-clock time: a timer that should tick every 50 ms logs how late it fired. Kept in
 * the child and asked for by time range, because a stalled server answers IPC only after the stall.
 */
class StallLog {
  private readonly at = new Float64Array(STALL_LOG_ENTRIES);
  private readonly lateMs = new Float64Array(STALL_LOG_ENTRIES);
  private next = 0;
  private expected = Date.now() + STALL_TICK_MS;

  constructor() {
    setInterval(() => {
      const now = Date.now();
      const late = now - this.expected;
      this.expected = now + STALL_TICK_MS;
      if (late < STALL_TICK_MS) return;
      const slot = this.next++ % STALL_LOG_ENTRIES;
      this.at[slot] = now;
      this.lateMs[slot] = late;
    }, STALL_TICK_MS).unref();
  }

  /** The longest stall that ended between `since` and `until` (Date.now() ms); 0 when none was logged. */
  maxBetween(since: number, until: number): number {
    let max = 0;
    for (let i = 0; i < Math.min(this.next, STALL_LOG_ENTRIES); i++) {
      if (this.at[i] >= since && this.at[i] <= until && this.lateMs[i] > max) max = this.lateMs[i];
    }
    return max;
  }
}

/**
 * Runs `start` in this (forked) process and talks to the parent over IPC. Samples are cheap (no forced GC),
 * so the parent can poll peak RSS under load. The child exits when told to stop or when the parent goes away.
 */
export function serveBroadcast(start: () => Promise<BroadcastServer>): void {
  const send = (message: ServerChildMessage): void => {
    process.send?.(message);
  };
  const stalls = new StallLog();
  start().then(
    (server) => {
      send({ type: 'ready', port: server.port });
      process.on('message', (message: ServerParentMessage) => {
        if (message.type === 'sample') {
          const memory = process.memoryUsage();
          const cpu = process.cpuUsage();
          send({
            type: 'sample',
            id: message.id,
            rss: memory.rss,
            heapUsed: memory.heapUsed,
            cpuMicros: cpu.user + cpu.system,
            loopDelayMaxMs: stalls.maxBetween(message.stallSince ?? 0, message.stallUntil ?? Date.now()),
            connections: server.connections(),
            ...server.counters(),
          });
        } else if (message.type === 'stop') {
          // Bounded: a server that cannot close in time (backlogs) still exits, and still writes its --cpu-prof.
          setTimeout(() => process.exit(0), STOP_TIMEOUT_MS).unref();
          void server.close().finally(() => process.exit(0)); // exits 0 whether close resolves or rejects
        }
      });
      process.on('disconnect', () => process.exit(0));
    },
    (error: Error) => {
      send({ type: 'failed', reason: error.stack ?? String(error) });
      process.exit(1);
    },
  );
}
