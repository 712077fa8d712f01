// WorkService (test/v1 balancing.proto) as the cluster bench and tests serve it: counts each key's runs.
import { WorkServiceDefinition, type WorkReply, type WorkRequest } from '../../generated/test/balancing';
import { RpcError } from '../../src/rpc/rpc-error';
import type { Status } from '../../src/rpc/status';
import type { CallContext } from '../../src/service/call-context';
import type { ServiceImplementation } from '../../src/service/handler-types';

/** Told of each run before the handler waits (so a process killed mid-call has reported it). */
export type ExecutionListener = (method: string, key: string) => void;

/** The WorkService of server `label`; Relay is left to the caller (it needs a client of the next hop). */
export function workService(label: string, onExecute: ExecutionListener = () => undefined): Omit<ServiceImplementation<typeof WorkServiceDefinition>, 'relay'> {
  const runs = new Map<string, number>();
  const run = async (method: string, request: WorkRequest, context: CallContext): Promise<WorkReply> => {
    const executions = (runs.get(request.key) ?? 0) + 1;
    runs.set(request.key, executions);
    onExecute(method, request.key);
    if (request.ms > 0) await delay(request.ms, context.signal);
    if (request.failCode !== 0) throw new RpcError(request.failCode as Status, `failing ${request.key} as asked`);
    return { server: label, executions, seq: 0 };
  };
  return {
    read: (request, context) => run('read', request, context),
    put: (request, context) => run('put', request, context),
    charge: (request, context) => run('charge', request, context),
    async *watch(request, context) {
      onExecute('watch', request.key);
      if (request.failCode !== 0) throw new RpcError(request.failCode as Status, `failing ${request.key} as asked`);
      for (let seq = 1; seq <= request.count; seq++) {
        if (request.ms > 0) await delay(request.ms, context.signal);
        yield { server: label, executions: 1, seq };
      }
    },
  };
}

/** Resolves after `ms`, or at once when the call is cancelled (the handler then returns into a dead call). */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
