// Node timers hold at most 2^31-1 ms; a longer delay fires after 1 ms (with a TimeoutOverflowWarning).

/** The longest delay a Node timer honours: 2^31-1 ms, about 24.8 days. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * `delayMs` bounded to what setTimeout honours (0 .. MAX_TIMER_MS). A timer armed with a clamped delay
 * may fire before the real deadline: its callback must check the time and re-arm (as the deadline queue does).
 */
export function clampTimerMs(delayMs: number): number {
  return delayMs > MAX_TIMER_MS ? MAX_TIMER_MS : delayMs > 0 ? delayMs : 0;
}
