// OpenTelemetry spans per call, client and server, with W3C trace context carried in the call's metadata.
import type { Attributes, Context, Span, Tracer } from '@opentelemetry/api';
import type { ClientInterceptor } from '../client/client-interceptor';
import { RpcError } from '../rpc/rpc-error';
import { Status } from '../rpc/status';
import type { ServerInterceptor } from '../server/server-interceptor';
import { openTelemetry, type OpenTelemetry } from './open-telemetry';
import { formatTraceparent, parseTraceparent, TRACEPARENT, TRACESTATE } from './trace-context';

/**
 * An OpenTelemetry TracerProvider (any SDK's fits). Typed structurally so that framerpc's declarations do not
 * import @opentelemetry/api, which is an optional peer dependency.
 */
export interface TracerProviderLike {
  getTracer(name: string, version?: string): unknown;
}

export interface TracingOptions {
  /** Where spans go. Default: the global provider of @opentelemetry/api (a no-op until an SDK registers one). */
  tracerProvider?: TracerProviderLike;
  /** The `rpc.system` attribute. Default "framerpc". */
  rpcSystem?: string;
}

const TRACER_NAME = 'framerpc';

/**
 * Codes that mark a server span as an error: the server's own failures, as OpenTelemetry's gRPC conventions say
 * (a client's mistake, such as INVALID_ARGUMENT or NOT_FOUND, leaves the server span's status unset).
 */
const SERVER_ERROR_CODES = new Set<number>([Status.UNKNOWN, Status.DEADLINE_EXCEEDED, Status.UNIMPLEMENTED, Status.INTERNAL, Status.UNAVAILABLE, Status.DATA_LOSS]);

/** "/echo.v1.EchoService/Echo" -> ["echo.v1.EchoService", "Echo"]. */
function splitPath(path: string): [service: string, method: string] {
  const slash = path.lastIndexOf('/');
  return [path.slice(1, slash), path.slice(slash + 1)];
}

function tracerOf(api: OpenTelemetry, options: TracingOptions): Tracer {
  return (options.tracerProvider ?? api.trace.getTracerProvider()).getTracer(TRACER_NAME) as Tracer;
}

function codeOf(error: unknown): number {
  return error instanceof RpcError ? error.code : Status.UNKNOWN;
}

function finish(api: OpenTelemetry, span: Span, code: number, error: unknown, isError: boolean): void {
  span.setAttribute('rpc.grpc.status_code', code);
  if (isError) {
    span.setStatus({ code: api.SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    if (error instanceof Error) span.recordException(error);
  }
  span.end();
}

/**
 * A client interceptor that starts a CLIENT span per call (a child of the active span, if any), named
 * "service/method" with the RPC semantic-convention attributes (rpc.system, rpc.service, rpc.method,
 * rpc.grpc.status_code), and sends the span's context in the `traceparent` / `tracestate` metadata.
 * Loads @opentelemetry/api when called; without this interceptor, calls carry no tracing cost at all.
 */
export function clientTracing(options: TracingOptions = {}): ClientInterceptor {
  const api = openTelemetry();
  const tracer = tracerOf(api, options);
  const system = options.rpcSystem ?? 'framerpc';
  return async (call, next) => {
    const [service, method] = splitPath(call.method);
    const attributes: Attributes = { 'rpc.system': system, 'rpc.service': service, 'rpc.method': method };
    const parent = api.context.active();
    const span = tracer.startSpan(`${service}/${method}`, { kind: api.SpanKind.CLIENT, attributes }, parent);
    const spanContext = span.spanContext();
    if (api.isSpanContextValid(spanContext)) {
      call.metadata.set(TRACEPARENT, formatTraceparent(spanContext));
      const state = spanContext.traceState?.serialize();
      if (state) call.metadata.set(TRACESTATE, state);
    }
    try {
      const result = await api.context.with(api.trace.setSpan(parent, span), next);
      finish(api, span, Status.OK, undefined, false);
      return result;
    } catch (error) {
      finish(api, span, codeOf(error), error, true);
      throw error;
    }
  };
}

/**
 * A server interceptor that starts a SERVER span per call, a child of the caller's span when the call carries a
 * valid `traceparent` (and its `tracestate`), with the RPC attributes plus the peer's address. The handler runs
 * with the span active, so spans it starts are its children (given a context manager, as the Node SDK registers).
 */
export function serverTracing(options: TracingOptions = {}): ServerInterceptor {
  const api = openTelemetry();
  const tracer = tracerOf(api, options);
  const system = options.rpcSystem ?? 'framerpc';
  return async (context, next) => {
    const [service, method] = splitPath(context.method);
    let parent: Context = api.context.active();
    const remote = parseTraceparent(context.metadata.get(TRACEPARENT));
    if (remote) {
      const state = context.metadata.get(TRACESTATE);
      parent = api.trace.setSpanContext(api.ROOT_CONTEXT, {
        ...remote,
        isRemote: true,
        traceState: typeof state === 'string' && state !== '' ? api.createTraceState(state) : undefined,
      });
    }
    const colon = context.peer.lastIndexOf(':');
    const attributes: Attributes = {
      'rpc.system': system,
      'rpc.service': service,
      'rpc.method': method,
      'network.peer.address': context.peer.slice(0, colon),
      'network.peer.port': Number(context.peer.slice(colon + 1)),
    };
    const span = tracer.startSpan(`${service}/${method}`, { kind: api.SpanKind.SERVER, attributes }, parent);
    try {
      const result = await api.context.with(api.trace.setSpan(parent, span), next);
      finish(api, span, Status.OK, undefined, false);
      return result;
    } catch (error) {
      const code = codeOf(error);
      finish(api, span, code, error, SERVER_ERROR_CODES.has(code));
      throw error;
    }
  };
}
