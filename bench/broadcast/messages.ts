// IPC between the bench process and the broadcast children (one server child, one client child per cell).

/** Counters a broadcast server keeps since it started. */
export interface ServerCounters {
  /** Client messages the server received (each is broadcast to every client). */
  readonly received: number;
  /** Deliveries the server skipped for a client that fell behind (framerpc's hub); undefined when the server has no such notion. */
  readonly dropped: number | undefined;
}

/** Server child to parent. */
export type ServerChildMessage =
  | { readonly type: 'ready'; readonly port: number }
  | { readonly type: 'failed'; readonly reason: string }
  | ({
      readonly type: 'sample';
      readonly id: number;
      readonly rss: number;
      readonly heapUsed: number;
      readonly cpuMicros: number;
      readonly loopDelayMaxMs: number;
      readonly connections: number;
    } & ServerCounters);

/**
 * Parent to server child. No forced GC: peak RSS under load is the point. The reply's `loopDelayMaxMs` is the
 * longest event-loop stall (>= 50 ms) that ended between `stallSince` and `stallUntil` (Date.now() ms; default: ever, now).
 */
export type ServerParentMessage = { readonly type: 'sample'; readonly id: number; readonly stallSince?: number; readonly stallUntil?: number } | { readonly type: 'stop' };

/** What the client child measured over the measurement window. */
export interface ClientResult {
  readonly measuredMs: number;
  /** Messages the clients sent (each should reach every client). */
  readonly sent: number;
  /** Sends skipped because the client process fell more than a second behind its schedule. */
  readonly sendsSkipped: number;
  /** Messages received, summed over every client. */
  readonly delivered: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** The client process's CPU time (user + system) over the window, in µs. */
  readonly cpuMicros: number;
  /** Connections that closed during the run. */
  readonly closed: number;
  /** Frames or messages the client could not read a timestamp from. */
  readonly malformed: number;
  /** Native client only: replies that were wrong (a failed Post, an unexpected frame), and the first one. */
  readonly errors?: number;
  readonly firstError?: string;
  /** framerpc only: the clients on the typed API (subscribePush), measured apart. */
  readonly typed?: { readonly clients: number; readonly delivered: number; readonly p50Ms: number; readonly p99Ms: number; readonly postErrors: number };
}

/** Client child to parent. */
export type ClientChildMessage =
  | { readonly type: 'connected'; readonly connected: number; readonly failed: number; readonly firstError?: string; readonly seconds: number }
  | { readonly type: 'measuring' }
  | ({ readonly type: 'result' } & ClientResult)
  | { readonly type: 'failed'; readonly reason: string };

/** Parent to client child: close every connection and exit. */
export type ClientParentMessage = { readonly type: 'close' };
