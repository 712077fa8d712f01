// What framerpc reports for metrics: one callback per observation, so any metrics library can sit behind it.
import type { CallKind } from '../service/service-definition';

/** Which end of a call or connection an observation comes from. */
export type Side = 'server' | 'client';

/**
 * Receives framerpc's observations (see instrumentServer and instrumentChannel). `method` is the full path,
 * "/echo.v1.EchoService/Echo"; `code` a status code (0 = OK). prometheusMetrics() implements it with prom-client;
 * implement it yourself for another library. Every callback runs on the call's path: keep them cheap.
 */
export interface MetricsHooks {
  /** A call began (server: it reached the interceptors; client: it was made). */
  callStarted(side: Side, method: string, kind: CallKind): void;
  /** A call ended with `code`, `seconds` after it started. */
  callHandled(side: Side, method: string, code: number, seconds: number): void;
  /** A request (server) or response (client) message arrived. */
  messageReceived(side: Side, method: string): void;
  /** A response (server) or request (client) message was sent. */
  messageSent(side: Side, method: string): void;
  /** A connection opened / closed. */
  connectionOpened(side: Side): void;
  connectionClosed(side: Side): void;
  /** Bytes read from / written to sockets since the last report (TLS and framing included). */
  bytesReceived(side: Side, bytes: number): void;
  bytesSent(side: Side, bytes: number): void;
  /** Pushes queued for connections / skipped because a connection had fallen behind, since the last report. */
  pushDelivered(count: number): void;
  pushDropped(count: number): void;
  /**
   * Optional: takes a function that reports what is read rather than observed (bytes of open connections, a push
   * hub's counters); call it before exporting (prometheusMetrics calls it on each scrape). Without this method,
   * those counts are reported when connections close, and push counts when sample() is called.
   */
  addSampler?(sample: () => void): void;
}
