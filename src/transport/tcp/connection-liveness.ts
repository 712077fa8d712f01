// The clocks Node's TCP sockets lack: frame completion, heartbeat and idle, each closing with its own reason.
import type { TransportOptions } from '../transport-options';
import { CloseCode, PING_PAYLOAD_BYTES } from '../../codec/wire';

// Lateness of a timer below this is ordinary scheduling jitter, not a blocked loop.
const MIN_LOOP_LAG_MS = 20;

/** What the liveness clocks need from their connection. */
export interface LivenessHost {
  sendPing(payload: Buffer): void;
  close(code: CloseCode, reason: string): void;
  readonly workInFlight: number;
}

/**
 * Times one connection. The hot paths only set flags (`received` per chunk, `active` per application
 * frame); the timers read them when they fire, so no clock is read per frame.
 */
export class ConnectionLiveness {
  /** Set by the connection on every chunk received. */
  received = false;
  /** Set by the connection on every application frame sent or received. */
  active = false;
  private pingOutstanding = false;
  private frameTimer: NodeJS.Timeout | undefined;
  private frameTimerFor = -1;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  /** When the heartbeat timer should fire (performance.now() ms): how late it actually fires is our own loop's lag. */
  private heartbeatDueAt = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly host: LivenessHost,
    private readonly options: TransportOptions,
  ) {}

  /** Starts the heartbeat and idle clocks. */
  start(): void {
    this.scheduleHeartbeat(this.options.heartbeatIntervalMs);
    if (this.options.idleTimeoutMs > 0) {
      this.idleTimer = setTimeout(() => this.onIdleCheck(), this.options.idleTimeoutMs).unref();
    }
  }

  /** A PONG arrived. */
  pongReceived(): void {
    this.pingOutstanding = false;
  }

  /**
   * After each chunk: a frame left unfinished must complete within frameTimeoutMs, timed per frame
   * (`framesDecoded` tells a new partial frame from the same one).
   */
  afterChunk(midFrame: boolean, framesDecoded: number): void {
    if (midFrame) {
      if (this.frameTimerFor === framesDecoded) return;
      this.frameTimerFor = framesDecoded;
      if (this.frameTimer) this.frameTimer.refresh();
      else {
        this.frameTimer = setTimeout(() => {
          this.host.close(CloseCode.TIMEOUT, `frame not completed within frameTimeoutMs (${this.options.frameTimeoutMs} ms)`);
        }, this.options.frameTimeoutMs).unref();
      }
    } else if (this.frameTimer) {
      clearTimeout(this.frameTimer);
      this.frameTimer = undefined;
      this.frameTimerFor = -1;
    }
  }

  /** Stops every clock (the connection is closing). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.frameTimer);
    clearTimeout(this.heartbeatTimer);
    clearTimeout(this.idleTimer);
  }

  private scheduleHeartbeat(delayMs: number): void {
    if (this.options.heartbeatIntervalMs === 0 || this.stopped) return;
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatDueAt = performance.now() + delayMs;
    this.heartbeatTimer = setTimeout(() => this.onHeartbeat(), delayMs).unref();
  }

  // Runs every heartbeatIntervalMs: a PING goes out when nothing arrived since the previous check (so
  // 1 to 2 intervals after the last byte), and the connection closes when nothing arrives within
  // heartbeatTimeoutMs of the PING: at most 2 x heartbeatIntervalMs + heartbeatTimeoutMs after the last byte.
  private onHeartbeat(): void {
    if (this.received) {
      this.received = false;
      this.pingOutstanding = false;
      this.scheduleHeartbeat(this.options.heartbeatIntervalMs);
    } else if (!this.pingOutstanding) {
      this.pingOutstanding = true;
      const ping = Buffer.allocUnsafe(PING_PAYLOAD_BYTES);
      ping.writeDoubleBE(Date.now(), 0);
      this.host.sendPing(ping);
      this.scheduleHeartbeat(this.options.heartbeatTimeoutMs);
    } else {
      this.judgeSilence();
    }
  }

  // The PING's timeout passed with nothing received. Judged fairly to a peer that did answer:
  // - a timer firing much later than due means our own event loop was blocked: the PING itself may have
  //   left late and the answer may be unread, so the peer gets a fresh heartbeatTimeoutMs from now;
  // - otherwise the verdict waits for setImmediate: timers run before the poll phase that reads sockets,
  //   so an answer already in the socket buffer is read (and sets `received`) before we look again.
  private judgeSilence(): void {
    const lateMs = performance.now() - this.heartbeatDueAt;
    if (lateMs > Math.max(this.options.heartbeatTimeoutMs / 2, MIN_LOOP_LAG_MS)) {
      this.scheduleHeartbeat(this.options.heartbeatTimeoutMs);
      return;
    }
    setImmediate(() => {
      if (this.stopped) return;
      if (this.received) {
        this.onHeartbeat(); // something arrived: back to the regular checks
        return;
      }
      this.host.close(CloseCode.TIMEOUT, `no answer to PING within heartbeatTimeoutMs (${this.options.heartbeatTimeoutMs} ms)`);
    });
  }

  // Closes between idleTimeoutMs and 2 x idleTimeoutMs after the last application frame.
  private onIdleCheck(): void {
    if (!this.active && this.host.workInFlight === 0) {
      this.host.close(CloseCode.TIMEOUT, `idle for idleTimeoutMs (${this.options.idleTimeoutMs} ms)`);
      return;
    }
    this.active = false;
    this.idleTimer?.refresh();
  }
}
