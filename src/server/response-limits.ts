// The server's refusals for lack of room: a response over its limits, a request that waited too long for memory.
import { RpcError } from '../rpc/rpc-error';
import { Status } from '../rpc/status';
import type { ConnectionFlow } from '../transport/connection-flow';
import type { MemoryBudget } from '../transport/memory-budget';

/** RESOURCE_EXHAUSTED saying which limit a response of `size` bytes breaks, or undefined when it may be sent. */
export function responseLimitError(size: number, maxResponseBytes: number, sendable: number): RpcError | undefined {
  if (size > maxResponseBytes) return new RpcError(Status.RESOURCE_EXHAUSTED, `response of ${size} bytes exceeds maxResponseBytes (${maxResponseBytes})`);
  if (size > sendable) {
    return new RpcError(
      Status.RESOURCE_EXHAUSTED,
      `response of ${size} bytes is larger than the client's connection window lets through (${sendable} bytes): raise the client's connectionWindowBytes`,
    );
  }
  return undefined;
}

/**
 * RESOURCE_EXHAUSTED for a single request still waiting after memoryWaitMs, when the wait is this server's
 * doing: other calls hold a quarter of the connection's window, or the budget holds back grants. A peer
 * that is merely slow to send keeps waiting (undefined).
 */
export function memoryWaitRefusal(flow: Pick<ConnectionFlow, 'held' | 'window'>, budget: Pick<MemoryBudget, 'exhausted' | 'held'>): RpcError | undefined {
  if (flow.held < flow.window / 4 && !budget.exhausted) return undefined;
  return new RpcError(Status.RESOURCE_EXHAUSTED, `the server's memory for in-flight calls is in use (held ${flow.held} bytes on this connection, ${budget.held} in all): retry later`);
}
