// Operations hooks: tracing (OpenTelemetry), metrics, structured logging.
export { clientTracing, serverTracing, type TracingOptions } from './tracing';
