// One timer per heartbeat interval for every connection using it: a Timeout and closure each would cost ~250 bytes per connection.
import { clampTimerMs } from '../timer-limit';

/** A connection's liveness, ticked once per interval while it waits for nothing in particular. */
export interface HeartbeatMember {
  onHeartbeatTick(): void;
}

/**
 * Ticks every member once per `intervalMs`. The timer runs only while there are members and never keeps
 * the process alive. A member ticked for the first time may be anywhere in its interval, so members count
 * a tick only after one full interval has passed (see ConnectionLiveness).
 */
class HeartbeatClock {
  private readonly members = new Set<HeartbeatMember>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs: number) {}

  add(member: HeartbeatMember): void {
    this.members.add(member);
    this.timer ??= setInterval(() => this.tick(), clampTimerMs(this.intervalMs)).unref();
  }

  delete(member: HeartbeatMember): void {
    if (!this.members.delete(member) || this.members.size > 0) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    // A member may leave while ticked (it sent a PING, it closed); Set iteration allows that.
    for (const member of this.members) member.onHeartbeatTick();
  }
}

const clocks = new Map<number, HeartbeatClock>();

/** The clock shared by every connection whose heartbeat interval is `intervalMs`. */
export function heartbeatClock(intervalMs: number): HeartbeatClock {
  let clock = clocks.get(intervalMs);
  if (!clock) {
    clock = new HeartbeatClock(intervalMs);
    clocks.set(intervalMs, clock);
  }
  return clock;
}
