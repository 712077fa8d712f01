// Wires a server's or channel's calls, messages, connections, bytes and pushes into MetricsHooks.
import type { Channel } from '../client/channel';
import type { ClientInterceptor } from '../client/client-interceptor';
import type { PushHub } from '../push/push-hub';
import { diagnostics } from '../rpc/diagnostic-channels';
import { RpcError } from '../rpc/rpc-error';
import { Status } from '../rpc/status';
import type { RpcServer } from '../server/rpc-server';
import type { ServerInterceptor } from '../server/server-interceptor';
import type { HandlerWrapper } from '../service/method-registry';
import type { FrameTransport } from '../transport/frame-transport';
import type { MetricsHooks, Side } from './metrics-hooks';

export interface InstrumentServerOptions {
  /** Also report this hub's pushes delivered and dropped. Default none. */
  pushHub?: PushHub;
}

/** What instrumenting returns: `sample()` reports the read counts now (bytes of open connections, pushes). */
export interface Instrumentation {
  sample(): void;
}

function codeOf(error: unknown): number {
  return error instanceof RpcError ? error.code : Status.UNKNOWN;
}

/**
 * Reports a server's calls (started, handled by code, duration: as the outermost interceptor, so calls refused by
 * other interceptors count too), messages received and sent (stream items around the handlers of streaming methods),
 * connections and bytes, and optionally a PushHub's deliveries and drops. A call whose deadline passed or whose
 * caller cancelled counts with that code even if its handler went on to return.
 */
export function instrumentServer(server: RpcServer, hooks: MetricsHooks, options: InstrumentServerOptions = {}): Instrumentation {
  const interceptor: ServerInterceptor = async (context, next) => {
    const method = context.method;
    const registered = server.registry.get(method);
    const kind = registered?.kind ?? 'unary';
    hooks.callStarted('server', method, kind);
    // Single messages are counted here (a request arrived even if an interceptor refuses it); streams by the wrapper.
    if (registered && !registered.definition.requestStream) hooks.messageReceived('server', method);
    if (diagnostics.callStart.hasSubscribers) diagnostics.callStart.publish({ method, side: 'server', kind, context });
    let code: number = Status.OK;
    let failure: unknown;
    try {
      const result = await next();
      if (registered && !registered.definition.responseStream && !context.aborted) hooks.messageSent('server', method);
      return result;
    } catch (error) {
      code = codeOf(error);
      failure = error;
      throw error;
    } finally {
      if (code === Status.OK && context.aborted) code = codeOf(context.signal.reason);
      const seconds = (performance.now() - context.startedAt) / 1e3;
      hooks.callHandled('server', method, code, seconds);
      if (diagnostics.callEnd.hasSubscribers) diagnostics.callEnd.publish({ method, side: 'server', code, durationMs: seconds * 1e3, error: failure });
    }
  };
  server.use(interceptor, 'first');
  server.registry.wrap(countingStreamMessages(hooks), (method) => method.definition.requestStream || method.definition.responseStream);

  const sampler = new ByteSampler(hooks, 'server');
  server.on('connection', (connection) => {
    hooks.connectionOpened('server');
    sampler.track(connection);
  });
  server.on('disconnect', (connection) => {
    sampler.untrack(connection);
    hooks.connectionClosed('server');
  });
  for (const connection of server.transport.connections.values()) {
    hooks.connectionOpened('server');
    sampler.track(connection);
  }
  let pushSent = options.pushHub?.stats.sent ?? 0;
  let pushDropped = options.pushHub?.stats.dropped ?? 0;
  const sample = (): void => {
    sampler.sample();
    const hub = options.pushHub;
    if (hub) {
      const { sent, dropped } = hub.stats;
      if (sent > pushSent) hooks.pushDelivered(sent - pushSent);
      if (dropped > pushDropped) hooks.pushDropped(dropped - pushDropped);
      pushSent = sent;
      pushDropped = dropped;
    }
  };
  hooks.addSampler?.(sample);
  return { sample };
}

/**
 * Reports a channel's calls (started, handled by code, duration; as its outermost interceptor), messages sent and
 * received (single ones in the interceptor, stream items as they pass; for clients created with createClient),
 * connections and bytes.
 */
export function instrumentChannel(channel: Channel, hooks: MetricsHooks): Instrumentation {
  const interceptor: ClientInterceptor = async (call, next) => {
    const started = performance.now();
    hooks.callStarted('client', call.method, call.kind);
    if (diagnostics.callStart.hasSubscribers) diagnostics.callStart.publish({ method: call.method, side: 'client', kind: call.kind });
    if (call.kind === 'unary' || call.kind === 'server-streaming') hooks.messageSent('client', call.method);
    let code: number = Status.OK;
    let failure: unknown;
    try {
      const result = await next();
      if (call.kind === 'unary' || call.kind === 'client-streaming') hooks.messageReceived('client', call.method);
      return result;
    } catch (error) {
      code = codeOf(error);
      failure = error;
      throw error;
    } finally {
      const seconds = (performance.now() - started) / 1e3;
      hooks.callHandled('client', call.method, code, seconds);
      if (diagnostics.callEnd.hasSubscribers) diagnostics.callEnd.publish({ method: call.method, side: 'client', code, durationMs: seconds * 1e3, error: failure });
    }
  };
  channel.use(interceptor, 'first');
  channel.streamObservers.push({
    messageSent: (method) => hooks.messageSent('client', method),
    messageReceived: (method) => hooks.messageReceived('client', method),
  });
  const sampler = new ByteSampler(hooks, 'client');
  const opened = (connection: FrameTransport): void => {
    hooks.connectionOpened('client');
    sampler.track(connection);
    connection.once('close', () => {
      sampler.untrack(connection);
      hooks.connectionClosed('client');
    });
  };
  channel.transport.on('connection', opened);
  if (channel.transport.connection) opened(channel.transport.connection);
  const sample = (): void => sampler.sample();
  hooks.addSampler?.(sample);
  return { sample };
}

/** The handler wrapper of streaming methods: counts request stream items as the handler pulls them, response stream items as they are yielded. */
function countingStreamMessages(hooks: MetricsHooks): HandlerWrapper {
  return (method, input, _context, invoke) => {
    const path = method.path;
    const { requestStream, responseStream } = method.definition;
    const result = invoke(requestStream ? counted(input as AsyncIterable<unknown>, () => hooks.messageReceived('server', path)) : input);
    return responseStream ? counted(result as AsyncIterable<unknown>, () => hooks.messageSent('server', path)) : result;
  };
}

function counted<T>(source: AsyncIterable<T>, onItem: () => void): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const iterator = source[Symbol.asyncIterator]();
      return {
        async next() {
          const step = await iterator.next();
          if (!step.done) onItem();
          return step;
        },
        return: async (value?: unknown) => (await iterator.return?.(value)) ?? { done: true, value: undefined },
        throw: async (error?: unknown) => {
          if (iterator.throw) return iterator.throw(error);
          throw error;
        },
      };
    },
  };
}

/** Reports socket byte counts as deltas: for open connections when sampled, the rest when they close. */
class ByteSampler {
  private readonly reported = new Map<FrameTransport, { read: number; written: number }>();

  constructor(
    private readonly hooks: MetricsHooks,
    private readonly side: Side,
  ) {}

  track(connection: FrameTransport): void {
    this.reported.set(connection, { read: 0, written: 0 });
  }

  untrack(connection: FrameTransport): void {
    this.report(connection);
    this.reported.delete(connection);
  }

  sample(): void {
    for (const connection of this.reported.keys()) this.report(connection);
  }

  private report(connection: FrameTransport): void {
    const last = this.reported.get(connection);
    if (!last) return;
    const read = connection.bytesRead;
    const written = connection.bytesWritten;
    if (read > last.read) this.hooks.bytesReceived(this.side, read - last.read);
    if (written > last.written) this.hooks.bytesSent(this.side, written - last.written);
    last.read = read;
    last.written = written;
  }
}
