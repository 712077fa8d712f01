// Trace propagation over a real socket: a client and a server with their own tracer providers (as two processes
// would have), spans per call with the RPC attributes, the server span a child of the caller's.
import 'reflect-metadata';
import { AsyncLocalStorage } from 'node:async_hooks';
import * as api from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Channel, RpcError, RpcServer, Status, createClient } from '../../src';
import { clientTracing, serverTracing } from '../../src/observability';
import { formatTraceparent, parseTraceparent } from '../../src/observability/trace-context';
import { TestServiceDefinition, defaultHandlers, recordingLogger } from '../rpc/harness';

/** The smallest context manager: what the Node SDK registers (AsyncLocalStorage), so context.with() takes effect. */
class StorageContextManager implements api.ContextManager {
  private readonly storage = new AsyncLocalStorage<api.Context>();
  active(): api.Context {
    return this.storage.getStore() ?? api.ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(context: api.Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.storage.run(context, () => fn.call(thisArg, ...args));
  }
  bind<T>(_context: api.Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.storage.disable();
    return this;
  }
}

function provider(): { provider: BasicTracerProvider; exporter: InMemorySpanExporter } {
  const exporter = new InMemorySpanExporter();
  return { provider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }), exporter };
}

describe('tracing', () => {
  const client = provider();
  const server = provider();
  let rpcServer: RpcServer;
  let channel: Channel;
  let childSpanParent: string | undefined;

  beforeAll(async () => {
    api.context.setGlobalContextManager(new StorageContextManager());
    rpcServer = new RpcServer({ logger: recordingLogger(), interceptors: [serverTracing({ tracerProvider: server.provider })] });
    rpcServer.addService(TestServiceDefinition, {
      ...defaultHandlers(),
      async unary(request) {
        // A span the handler starts is a child of the server span.
        const span = server.provider.getTracer('handler').startSpan('work');
        childSpanParent = (span as unknown as ReadableSpan).parentSpanContext?.spanId;
        span.end();
        return request;
      },
      async fail(request) {
        throw new RpcError(request.ms === 1 ? Status.NOT_FOUND : Status.INTERNAL, 'no such thing');
      },
    });
    const { port } = await rpcServer.listen(0);
    channel = new Channel({ port, interceptors: [clientTracing({ tracerProvider: client.provider })] });
  });

  afterAll(async () => {
    channel.close();
    await rpcServer.close(0);
    api.context.disable();
  });

  beforeEach(() => {
    client.exporter.reset();
    server.exporter.reset();
  });

  it('makes the server span a child of the client span, itself a child of the caller span, and carries tracestate', async () => {
    const test = createClient(TestServiceDefinition, channel);
    const outer = client.provider.getTracer('app').startSpan('outer');
    // The caller's span context carries a tracestate, which must reach the server.
    const caller = api.trace.setSpanContext(api.ROOT_CONTEXT, { ...outer.spanContext(), traceState: api.createTraceState('vendor=abc') });
    await api.context.with(caller, () => test.unary({ body: Buffer.from('x'), seq: 1 }));
    outer.end();

    const [clientSpan] = client.exporter.getFinishedSpans().filter((span) => span.kind === api.SpanKind.CLIENT);
    const serverSpans = server.exporter.getFinishedSpans();
    const serverSpan = serverSpans.find((span) => span.kind === api.SpanKind.SERVER)!;
    expect(clientSpan.name).toBe('test.v1.TestService/Unary');
    expect(clientSpan.spanContext().traceId).toBe(outer.spanContext().traceId);
    expect(clientSpan.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    expect(serverSpan.spanContext().traceId).toBe(clientSpan.spanContext().traceId);
    expect(serverSpan.parentSpanContext?.spanId).toBe(clientSpan.spanContext().spanId);
    expect(serverSpan.parentSpanContext?.isRemote).toBe(true);
    expect(serverSpan.parentSpanContext?.traceState?.get('vendor')).toBe('abc');
    expect(childSpanParent).toBe(serverSpan.spanContext().spanId);
    expect(clientSpan.attributes).toEqual({ 'rpc.system': 'framerpc', 'rpc.service': 'test.v1.TestService', 'rpc.method': 'Unary', 'rpc.grpc.status_code': 0 });
    expect(serverSpan.attributes).toMatchObject({
      'rpc.system': 'framerpc',
      'rpc.service': 'test.v1.TestService',
      'rpc.method': 'Unary',
      'rpc.grpc.status_code': 0,
      'network.peer.address': '127.0.0.1',
    });
    expect(serverSpan.status.code).toBe(api.SpanStatusCode.UNSET);
  });

  it('records the status code; server spans are errors only for server-side codes, client spans for any failure', async () => {
    const test = createClient(TestServiceDefinition, channel);
    await expect(test.fail({ ms: 1, text: '' })).rejects.toMatchObject({ code: Status.NOT_FOUND });
    await expect(test.fail({ ms: 2, text: '' })).rejects.toMatchObject({ code: Status.INTERNAL });
    const clientSpans = client.exporter.getFinishedSpans();
    const serverSpans = server.exporter.getFinishedSpans();
    expect(clientSpans.map((span) => [span.attributes['rpc.grpc.status_code'], span.status.code])).toEqual([
      [Status.NOT_FOUND, api.SpanStatusCode.ERROR],
      [Status.INTERNAL, api.SpanStatusCode.ERROR],
    ]);
    expect(serverSpans.map((span) => [span.attributes['rpc.grpc.status_code'], span.status.code])).toEqual([
      [Status.NOT_FOUND, api.SpanStatusCode.UNSET],
      [Status.INTERNAL, api.SpanStatusCode.ERROR],
    ]);
  });

  it('traces streaming calls until the stream ends', async () => {
    const test = createClient(TestServiceDefinition, channel);
    const seqs: number[] = [];
    for await (const item of test.serverStream({ body: Buffer.alloc(0), seq: 3 })) seqs.push(item.seq);
    expect(seqs).toEqual([0, 1, 2]);
    const [clientSpan] = client.exporter.getFinishedSpans();
    const [serverSpan] = server.exporter.getFinishedSpans();
    expect(clientSpan.attributes['rpc.method']).toBe('ServerStream');
    expect(serverSpan.parentSpanContext?.spanId).toBe(clientSpan.spanContext().spanId);
  });
});

describe('W3C traceparent', () => {
  it('formats and parses, and refuses malformed or all-zero values', () => {
    const parent = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };
    expect(formatTraceparent(parent)).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toEqual(parent);
    expect(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future')).toEqual(parent);
    for (const bad of [
      '',
      'garbage',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
      'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
    ]) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
  });
});
