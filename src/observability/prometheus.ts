// MetricsHooks for Prometheus: counts kept in plain per-method records (cheap on the call path), exposed through
// a prom-client registry (an optional peer dependency) as counters, a gauge and histograms at scrape time.
import type * as PromClient from 'prom-client';
import { statusName } from '../rpc/status';
import type { CallKind } from '../service/service-definition';
import type { MetricsHooks, Side } from './metrics-hooks';
import { ErrorCode, FramerpcError, FramerpcOptionError } from '../errors';

/**
 * A prom-client Registry, typed structurally so that framerpc's declarations do not import prom-client, which is
 * an optional peer dependency.
 */
export interface RegistryLike {
  registerMetric(metric: never): void;
}

export interface PrometheusMetricsOptions<R extends RegistryLike = RegistryLike> {
  /** Where the metrics are registered. Default prom-client's global `register`. */
  registry?: R;
  /** Prefix of every metric name. Default "framerpc_". */
  prefix?: string;
  /** Upper bounds of the call duration histograms' buckets, in seconds, ascending. Default 0.5 ms to 10 s. */
  durationBuckets?: number[];
}

/** MetricsHooks that prom-client's registry exposes, plus that registry. */
export interface PrometheusMetrics<R extends RegistryLike = RegistryLike> extends MetricsHooks {
  readonly registry: R;
}

const DEFAULT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const SIDES: readonly Side[] = ['server', 'client'];

function loadPromClient(): typeof PromClient {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('prom-client') as typeof PromClient;
  } catch (error) {
    throw new FramerpcError(ErrorCode.MISSING_PEER_DEPENDENCY, 'framerpc prometheusMetrics needs prom-client: npm install prom-client', { cause: error });
  }
}

/** Everything counted for one method on one side. */
class MethodCounts {
  readonly service: string;
  readonly method: string;
  kind: CallKind = 'unary';
  started = 0;
  received = 0;
  sent = 0;
  /** Calls handled, by status code (index). */
  readonly handled: number[] = [];
  /** Per bucket (not cumulative); the last one is +Inf. */
  readonly buckets: Float64Array;
  sum = 0;
  count = 0;

  constructor(path: string, bucketCount: number) {
    const slash = path.lastIndexOf('/');
    this.service = path.slice(1, slash);
    this.method = path.slice(slash + 1);
    this.buckets = new Float64Array(bucketCount + 1);
  }
}

class SideCounts {
  readonly methods = new Map<string, MethodCounts>();
  connections = 0;
  bytesIn = 0;
  bytesOut = 0;

  constructor(private readonly bucketCount: number) {}

  of(path: string): MethodCounts {
    let counts = this.methods.get(path);
    if (!counts) {
      counts = new MethodCounts(path, this.bucketCount);
      this.methods.set(path, counts);
    }
    return counts;
  }
}

interface Sample {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

type MetricType = 'counter' | 'gauge' | 'histogram';

/** An object prom-client's Registry accepts as a metric: name, help, type, and get() of its samples. */
function metric(name: string, help: string, type: MetricType, samples: () => Sample[]): PromClient.Metric {
  return {
    name,
    help,
    type,
    get: async () => ({ name, help, type, values: samples(), aggregator: 'sum' }),
    reset: () => undefined,
  } as unknown as PromClient.Metric;
}

/**
 * Metrics named like go-grpc-prometheus's, with a framerpc_ prefix: `{side}_started_total{service,method,type}`,
 * `{side}_handled_total{service,method,code}`, `{side}_handling_seconds{service,method}` (histogram),
 * `{side}_msg_received_total` and `{side}_msg_sent_total` `{service,method}` (side: server or client),
 * `connections_open{side}`, `bytes_received_total{side}`, `bytes_sent_total{side}`, `push_delivered_total`,
 * `push_dropped_total`. Pass the result to instrumentServer and instrumentChannel; serve `registry.metrics()` on
 * `/metrics`. Each observation is a few field updates; labels are built only when the registry is scraped.
 */
export function prometheusMetrics<R extends RegistryLike = RegistryLike>(options: PrometheusMetricsOptions<R> = {}): PrometheusMetrics<R> {
  const registry = (options.registry ?? loadPromClient().register) as R;
  const register = (metric: PromClient.Metric): void => (registry as unknown as PromClient.Registry).registerMetric(metric);
  const prefix = options.prefix ?? 'framerpc_';
  const bounds = options.durationBuckets ?? DEFAULT_BUCKETS;
  if (bounds.length === 0 || bounds.some((bound, i) => !(bound > 0) || (i > 0 && bound <= bounds[i - 1]))) {
    throw new FramerpcOptionError('durationBuckets', 'prometheusMetrics durationBuckets must be ascending positive numbers of seconds, e.g. [0.001, 0.01, 0.1, 1]');
  }
  const sides: Record<Side, SideCounts> = { server: new SideCounts(bounds.length), client: new SideCounts(bounds.length) };
  let pushDelivered = 0;
  let pushDropped = 0;
  const samplers: (() => void)[] = [];
  const sample = (): void => {
    for (const sampler of samplers) sampler();
  };

  const perMethod = (side: Side, value: (counts: MethodCounts) => number): Sample[] =>
    [...sides[side].methods.values()].map((counts) => ({ value: value(counts), labels: { service: counts.service, method: counts.method } }));
  for (const side of SIDES) {
    const name = `${prefix}${side}`;
    register(
      metric(`${name}_started_total`, `Calls started on the ${side}.`, 'counter', () =>
        [...sides[side].methods.values()].filter((c) => c.started > 0).map((c) => ({ value: c.started, labels: { service: c.service, method: c.method, type: c.kind } })),
      ),
    );
    register(
      metric(`${name}_handled_total`, `Calls completed on the ${side}, by status code.`, 'counter', () =>
        [...sides[side].methods.values()].flatMap((c) => c.handled.flatMap((value, code) => (value > 0 ? [{ value, labels: { service: c.service, method: c.method, code: statusName(code) } }] : []))),
      ),
    );
    register(
      metric(`${name}_handling_seconds`, `Duration of calls on the ${side}, start to status, in seconds.`, 'histogram', () =>
        [...sides[side].methods.values()]
          .filter((c) => c.count > 0)
          .flatMap((c) => {
            const labels = { service: c.service, method: c.method };
            let cumulative = 0;
            const buckets = [...bounds, Infinity].map((bound, i) => {
              cumulative += c.buckets[i];
              return { metricName: `${name}_handling_seconds_bucket`, value: cumulative, labels: { ...labels, le: bound === Infinity ? '+Inf' : bound } };
            });
            return [...buckets, { metricName: `${name}_handling_seconds_sum`, value: c.sum, labels }, { metricName: `${name}_handling_seconds_count`, value: c.count, labels }];
          }),
      ),
    );
    register(metric(`${name}_msg_received_total`, `Messages received on the ${side}.`, 'counter', () => perMethod(side, (c) => c.received)));
    register(metric(`${name}_msg_sent_total`, `Messages sent on the ${side}.`, 'counter', () => perMethod(side, (c) => c.sent)));
  }
  const bySide = (value: (counts: SideCounts) => number) => (): Sample[] => {
    sample();
    return SIDES.map((side) => ({ value: value(sides[side]), labels: { side } }));
  };
  register(
    metric(
      `${prefix}connections_open`,
      'Connections open.',
      'gauge',
      bySide((s) => s.connections),
    ),
  );
  register(
    metric(
      `${prefix}bytes_received_total`,
      'Bytes read from sockets.',
      'counter',
      bySide((s) => s.bytesIn),
    ),
  );
  register(
    metric(
      `${prefix}bytes_sent_total`,
      'Bytes written to sockets.',
      'counter',
      bySide((s) => s.bytesOut),
    ),
  );
  register(metric(`${prefix}push_delivered_total`, 'Pushes queued for a connection.', 'counter', () => (sample(), [{ value: pushDelivered, labels: {} }])));
  register(metric(`${prefix}push_dropped_total`, 'Pushes skipped for a connection that had fallen behind.', 'counter', () => (sample(), [{ value: pushDropped, labels: {} }])));

  return {
    registry,
    callStarted: (side, method, kind) => {
      const counts = sides[side].of(method);
      counts.kind = kind;
      counts.started++;
    },
    callHandled: (side, method, code, seconds) => {
      const counts = sides[side].of(method);
      counts.handled[code] = (counts.handled[code] ?? 0) + 1;
      let bucket = 0;
      while (bucket < bounds.length && seconds > bounds[bucket]) bucket++;
      counts.buckets[bucket]++;
      counts.sum += seconds;
      counts.count++;
    },
    messageReceived: (side, method) => void sides[side].of(method).received++,
    messageSent: (side, method) => void sides[side].of(method).sent++,
    connectionOpened: (side) => void sides[side].connections++,
    connectionClosed: (side) => void sides[side].connections--,
    bytesReceived: (side, bytes) => void (sides[side].bytesIn += bytes),
    bytesSent: (side, bytes) => void (sides[side].bytesOut += bytes),
    pushDelivered: (count) => void (pushDelivered += count),
    pushDropped: (count) => void (pushDropped += count),
    addSampler: (sampler) => void samplers.push(sampler),
  };
}
