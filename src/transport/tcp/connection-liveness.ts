// The clocks Node's TCP sockets lack: frame completion, heartbeat and idle, each closing with its own reason.
import { EventEmitter } from 'node:events';
import type { FrameConnectionEvents } from '../frame-connection-events';
import type { TransportOptions } from '../transport-options';
import { CloseCode, PING_PAYLOAD_BYTES } from '../../codec/wire';
import { heartbeatClock, type HeartbeatMember } from './heartbeat-clock';

// Lateness of a timer below this is ordinary scheduling jitter, not a blocked loop.
const MIN_LOOP_LAG_MS = 20;

/**
 * Times one connection; the base class of FrameConnection (its state in the connection itself, not in an
 * object of its own: ~50 bytes less per idle connection). The hot paths only set flags (`received` per chunk, `active` per application
 * frame); the timers read them when they fire, so no clock is read per frame. The regular heartbeat
 * check is a tick of the clock all connections with the same interval share (heartbeat-clock.ts); only a
 * connection waiting for the answer to its PING has a timer of its own.
 */
export abstract class ConnectionLiveness extends EventEmitter<FrameConnectionEvents> implements HeartbeatMember {
  /** Set by the connection on every chunk received. */
  protected received = false;
  /** Set by the connection on every application frame sent or received. */
  protected active = false;
  private frameTimer: NodeJS.Timeout | undefined;
  private frameTimerFor = -1;
  /** While a PING waits for its answer: fires heartbeatTimeoutMs after it. */
  private pingTimer: NodeJS.Timeout | undefined;
  /** When the PING timer should fire (performance.now() ms): how late it actually fires is our own loop's lag. */
  private pingDueAt = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(readonly options: TransportOptions) {
    super();
  }

  /** The heartbeat's PING. */
  abstract sendPing(payload: Buffer): void;
  abstract close(code?: CloseCode, reason?: string): void;
  abstract readonly workInFlight: number;

  /** Starts the heartbeat and idle clocks. */
  protected startLiveness(): void {
    this.joinClock();
    if (this.options.idleTimeoutMs > 0) {
      this.idleTimer = setTimeout(() => this.onIdleCheck(), this.options.idleTimeoutMs).unref();
    }
  }

  /**
   * After each chunk: a frame left unfinished must complete within frameTimeoutMs, timed per frame
   * (`framesDecoded` tells a new partial frame from the same one).
   */
  protected afterChunk(midFrame: boolean, framesDecoded: number): void {
    if (midFrame) {
      if (this.frameTimerFor === framesDecoded) return;
      this.frameTimerFor = framesDecoded;
      if (this.frameTimer) this.frameTimer.refresh();
      else {
        this.frameTimer = setTimeout(() => {
          this.close(CloseCode.TIMEOUT, `frame not completed within frameTimeoutMs (${this.options.frameTimeoutMs} ms)`);
        }, this.options.frameTimeoutMs).unref();
      }
    } else if (this.frameTimer) {
      clearTimeout(this.frameTimer);
      this.frameTimer = undefined;
      this.frameTimerFor = -1;
    }
  }

  /** Stops every clock (the connection is closing). */
  protected stopLiveness(): void {
    this.stopped = true;
    if (this.options.heartbeatIntervalMs > 0) heartbeatClock(this.options.heartbeatIntervalMs).delete(this);
    clearTimeout(this.frameTimer);
    clearTimeout(this.pingTimer);
    clearTimeout(this.idleTimer);
  }

  /**
   * Back to the regular checks. The clock's first tick may come at once, so `received` is set: that tick
   * only clears it, and a PING goes out when nothing arrives between two ticks (1 to 2 intervals after
   * the last byte).
   */
  private joinClock(): void {
    if (this.options.heartbeatIntervalMs === 0 || this.stopped) return;
    this.received = true;
    heartbeatClock(this.options.heartbeatIntervalMs).add(this);
  }

  /** HeartbeatMember: every heartbeatIntervalMs; a PING goes out when nothing arrived since the previous tick. */
  onHeartbeatTick(): void {
    if (this.received) {
      this.received = false;
      return;
    }
    heartbeatClock(this.options.heartbeatIntervalMs).delete(this);
    const ping = Buffer.allocUnsafe(PING_PAYLOAD_BYTES);
    ping.writeDoubleBE(Date.now(), 0);
    this.sendPing(ping);
    this.awaitAnswer();
  }

  // The connection closes when nothing arrives within heartbeatTimeoutMs of the PING: at most
  // 2 x heartbeatIntervalMs + heartbeatTimeoutMs after the last byte.
  private awaitAnswer(): void {
    if (this.stopped) return;
    this.pingDueAt = performance.now() + this.options.heartbeatTimeoutMs;
    this.pingTimer = setTimeout(() => this.onPingTimeout(), this.options.heartbeatTimeoutMs).unref();
  }

  private onPingTimeout(): void {
    this.pingTimer = undefined;
    if (this.received) this.joinClock();
    else this.judgeSilence();
  }

  // The PING's timeout passed with nothing received. Judged fairly to a peer that did answer:
  // - a timer firing much later than due means our own event loop was blocked: the PING itself may have
  //   left late and the answer may be unread, so the peer gets a fresh heartbeatTimeoutMs from now;
  // - otherwise the verdict waits for setImmediate: timers run before the poll phase that reads sockets,
  //   so an answer already in the socket buffer is read (and sets `received`) before we look again.
  private judgeSilence(): void {
    const lateMs = performance.now() - this.pingDueAt;
    if (lateMs > Math.max(this.options.heartbeatTimeoutMs / 2, MIN_LOOP_LAG_MS)) {
      this.awaitAnswer();
      return;
    }
    setImmediate(() => {
      if (this.stopped) return;
      if (this.received) {
        this.joinClock(); // something arrived: back to the regular checks
        return;
      }
      this.close(CloseCode.TIMEOUT, `no answer to PING within heartbeatTimeoutMs (${this.options.heartbeatTimeoutMs} ms)`);
    });
  }

  // Closes between idleTimeoutMs and 2 x idleTimeoutMs after the last application frame.
  private onIdleCheck(): void {
    if (!this.active && this.workInFlight === 0) {
      this.close(CloseCode.TIMEOUT, `idle for idleTimeoutMs (${this.options.idleTimeoutMs} ms)`);
      return;
    }
    this.active = false;
    this.idleTimer?.refresh();
  }
}
