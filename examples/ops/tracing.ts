// README "Operations: tracing": OpenTelemetry spans per call, the trace context carried in call metadata.
import * as api from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Channel, RpcServer, clientTracing, createClient, serverTracing } from '../../src';
import { EchoServiceDefinition } from '../../generated/echo/echo';
import { EchoHandler } from '../echo/echo-handler';

export async function tracingExample(): Promise<{ name: string; kind: string; traceId: string; parent?: string; span: string }[]> {
  // Any OpenTelemetry SDK set-up; here spans are kept in memory (use an OTLP exporter in production).
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  // (or api.trace.setGlobalTracerProvider(tracerProvider) and call serverTracing() / clientTracing() without options)

  const server = new RpcServer({ interceptors: [serverTracing({ tracerProvider })] });
  server.add(EchoHandler);
  await server.listen(0);
  const channel = new Channel({ port: server.port, interceptors: [clientTracing({ tracerProvider })] });
  await createClient(EchoServiceDefinition, channel).echo({ text: 'traced' });
  channel.close();
  await server.close();

  return exporter.getFinishedSpans().map((span) => ({
    name: span.name, // "echo.v1.EchoService/Echo"
    kind: api.SpanKind[span.kind],
    traceId: span.spanContext().traceId,
    parent: span.parentSpanContext?.spanId,
    span: span.spanContext().spanId,
  }));
}
