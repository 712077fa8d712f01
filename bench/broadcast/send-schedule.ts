// Each of M clients sends one message per second, spread evenly: client i sends at i/M of every second.
import type { BroadcastClient } from './delivery-stats';
import { nowMicros, stampText } from './payload';

const TICK_MS = 5;
const SECOND_MS = 1000;

/**
 * Sends on a timer: every tick, the sends that fell due since the last tick, in client order. A process
 * that falls more than a second behind skips the oldest sends (counted in `skipped`) rather than bursting.
 */
export class SendSchedule {
  sent = 0;
  skipped = 0;
  private due = 0;
  private timer: NodeJS.Timeout | undefined;
  private started = 0;

  constructor(private readonly clients: readonly BroadcastClient[]) {}

  start(): void {
    this.started = performance.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const count = this.clients.length;
    const target = Math.floor(((performance.now() - this.started) * count) / SECOND_MS);
    if (target - this.due > count) {
      this.skipped += target - this.due - count;
      this.due = target - count;
    }
    for (; this.due < target; this.due++) {
      const sender = this.due % count;
      this.clients[sender].post(stampText(sender, nowMicros()));
      this.sent++;
    }
  }
}
