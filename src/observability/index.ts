// Operations hooks: tracing (OpenTelemetry), metrics, structured logging.
export { clientTracing, serverTracing, type TracingOptions, type TracerProviderLike } from './tracing';
export type { MetricsHooks, Side } from './metrics-hooks';
export { instrumentServer, instrumentChannel, type Instrumentation, type InstrumentServerOptions } from './instrument';
export { prometheusMetrics, type PrometheusMetrics, type PrometheusMetricsOptions, type RegistryLike } from './prometheus';
