// MetricsHooks implemented with prom-client (an optional peer dependency): what `/metrics` shows.
import type * as PromClient from 'prom-client';
import { statusName } from '../rpc/status';
import type { CallKind } from '../service/service-definition';
import type { MetricsHooks, Side } from './metrics-hooks';

export interface PrometheusMetricsOptions {
  /** Where the metrics are registered. Default prom-client's global `register`. */
  registry?: PromClient.Registry;
  /** Prefix of every metric name. Default "framerpc_". */
  prefix?: string;
  /** Buckets of the call duration histograms, in seconds. Default 0.5 ms to 10 s. */
  durationBuckets?: number[];
}

/** MetricsHooks backed by prom-client metrics, plus the registry they live in. */
export interface PrometheusMetrics extends MetricsHooks {
  readonly registry: PromClient.Registry;
}

const DEFAULT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function loadPromClient(): typeof PromClient {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('prom-client') as typeof PromClient;
  } catch (error) {
    throw new Error('framerpc prometheusMetrics needs prom-client: npm install prom-client', { cause: error });
  }
}

/** "/echo.v1.EchoService/Echo" -> { service: "echo.v1.EchoService", method: "Echo" }, cached per path. */
const labelCache = new Map<string, { service: string; method: string }>();
function pathLabels(path: string): { service: string; method: string } {
  let labels = labelCache.get(path);
  if (!labels) {
    const slash = path.lastIndexOf('/');
    labels = { service: path.slice(1, slash), method: path.slice(slash + 1) };
    if (labelCache.size < 10_000) labelCache.set(path, labels); // bounded: paths come from the method table or a caller
  }
  return labels;
}

/**
 * Creates framerpc's metrics in a prom-client registry, named like go-grpc-prometheus's with a framerpc_ prefix:
 * `{side}_started_total{service,method,type}`, `{side}_handled_total{service,method,code}`,
 * `{side}_handling_seconds{service,method}` (histogram), `{side}_msg_received_total` and `{side}_msg_sent_total`
 * `{service,method}` (side: server or client), `connections_open{side}`, `bytes_received_total{side}`,
 * `bytes_sent_total{side}`, `push_delivered_total`, `push_dropped_total`. Pass the result to instrumentServer and
 * instrumentChannel; serve `registry.metrics()` on `/metrics`.
 */
export function prometheusMetrics(options: PrometheusMetricsOptions = {}): PrometheusMetrics {
  const prom = loadPromClient();
  const registry = options.registry ?? prom.register;
  const prefix = options.prefix ?? 'framerpc_';
  const samplers: (() => void)[] = [];
  // Read counts are refreshed by whichever of their metrics is collected first in a scrape (the rest see no change).
  const collect = (): void => {
    for (const sample of samplers) sample();
  };
  const registers = [registry];
  const perSide = <M>(make: (side: Side) => M): Record<Side, M> => ({ server: make('server'), client: make('client') });
  const started = perSide((side) => new prom.Counter({ name: `${prefix}${side}_started_total`, help: `Calls started on the ${side}.`, labelNames: ['service', 'method', 'type'] as const, registers }));
  const handled = perSide((side) => new prom.Counter({ name: `${prefix}${side}_handled_total`, help: `Calls completed on the ${side}, by status code.`, labelNames: ['service', 'method', 'code'] as const, registers }));
  const seconds = perSide((side) => new prom.Histogram({ name: `${prefix}${side}_handling_seconds`, help: `Duration of calls on the ${side}, start to status, in seconds.`, labelNames: ['service', 'method'] as const, buckets: options.durationBuckets ?? DEFAULT_BUCKETS, registers }));
  const received = perSide((side) => new prom.Counter({ name: `${prefix}${side}_msg_received_total`, help: `Messages received on the ${side}.`, labelNames: ['service', 'method'] as const, registers }));
  const sent = perSide((side) => new prom.Counter({ name: `${prefix}${side}_msg_sent_total`, help: `Messages sent on the ${side}.`, labelNames: ['service', 'method'] as const, registers }));
  const connections = new prom.Gauge({ name: `${prefix}connections_open`, help: 'Connections open.', labelNames: ['side'] as const, registers });
  const bytesIn = new prom.Counter({ name: `${prefix}bytes_received_total`, help: 'Bytes read from sockets.', labelNames: ['side'] as const, registers, collect });
  const bytesOut = new prom.Counter({ name: `${prefix}bytes_sent_total`, help: 'Bytes written to sockets.', labelNames: ['side'] as const, registers, collect });
  const pushDelivered = new prom.Counter({ name: `${prefix}push_delivered_total`, help: 'Pushes queued for a connection.', registers, collect });
  const pushDropped = new prom.Counter({ name: `${prefix}push_dropped_total`, help: 'Pushes skipped for a connection that had fallen behind.', registers, collect });
  return {
    registry,
    callStarted: (side, method, kind: CallKind) => started[side].inc({ ...pathLabels(method), type: kind }),
    callHandled: (side, method, code, duration) => {
      const labels = pathLabels(method);
      handled[side].inc({ ...labels, code: statusName(code) });
      seconds[side].observe(labels, duration);
    },
    messageReceived: (side, method) => received[side].inc(pathLabels(method)),
    messageSent: (side, method) => sent[side].inc(pathLabels(method)),
    connectionOpened: (side) => connections.inc({ side }),
    connectionClosed: (side) => connections.dec({ side }),
    bytesReceived: (side, bytes) => bytesIn.inc({ side }, bytes),
    bytesSent: (side, bytes) => bytesOut.inc({ side }, bytes),
    pushDelivered: (count) => pushDelivered.inc(count),
    pushDropped: (count) => pushDropped.inc(count),
    addSampler: (sample) => void samplers.push(sample),
  };
}
