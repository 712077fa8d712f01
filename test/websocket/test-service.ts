// The TestService the WebSocket tests (Node and browser) call: every call shape, metadata both ways, a deadline, an abort.
import { Metadata, RpcError, Status, type CallContext, type ServiceImplementation } from '../../src';
import { TestServiceDefinition, type Payload } from '../../generated/test/testing';

/** Calls the server saw aborted (deadline or client abort), by method name: tests wait for them. */
export interface AbortLog {
  readonly aborted: string[];
  onAbort?: (method: string) => void;
}

/** An implementation of TestService whose answers tests can predict. */
export function testService(log: AbortLog = { aborted: [] }): ServiceImplementation<typeof TestServiceDefinition> {
  const noteAbort = (method: string, context: CallContext): void => {
    context.signal.addEventListener(
      'abort',
      () => {
        log.aborted.push(method);
        log.onAbort?.(method);
      },
      { once: true },
    );
  };
  return {
    // seq + 1; the caller's "x-echo" metadata comes back as a header "x-echoed" and trailer "x-trailer".
    async unary(request: Payload, context: CallContext): Promise<Payload> {
      const echo = context.metadata.get('x-echo');
      if (echo !== undefined) {
        context.sendHeaders(new Metadata({ 'x-echoed': String(echo) }));
        context.trailers.set('x-trailer', `done:${String(echo)}`);
      }
      return { body: request.body, seq: request.seq + 1 };
    },
    // `seq` messages numbered 1..seq.
    async *serverStream(request: Payload): AsyncGenerator<Payload> {
      for (let i = 1; i <= request.seq; i++) yield { body: Buffer.alloc(0), seq: i };
    },
    async clientStream(requests: AsyncIterable<Payload>) {
      let total = 0;
      let count = 0;
      for await (const request of requests) {
        total += request.seq;
        count++;
      }
      return { total, count };
    },
    // Each request back with seq * 10.
    async *bidi(requests: AsyncIterable<Payload>): AsyncGenerator<Payload> {
      for await (const request of requests) yield { body: request.body, seq: request.seq * 10 };
    },
    // Waits `ms` (or until aborted: the deadline, a client abort).
    async sleep(request, context) {
      noteAbort('sleep', context);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, request.ms);
        context.signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            reject(new RpcError(Status.CANCELLED, 'aborted'));
          },
          { once: true },
        );
      });
      return request;
    },
    async fail(request) {
      throw new RpcError(Status.FAILED_PRECONDITION, request.text || 'failed on purpose');
    },
  };
}
