// Connection-level credit in bytes, and the memory budget that holds grants back across connections.
import { ConnectionFlow } from '../../src/transport/connection-flow';
import { FrameError } from '../../src/codec/frame-error';
import { MemoryBudget } from '../../src/transport/memory-budget';
import { CloseCode, MAX_UNGRANTED_BYTES } from '../../src/codec/wire';

function flow(window: number, budget?: MemoryBudget): { flow: ConnectionFlow; grants: number[] } {
  const grants: number[] = [];
  return { flow: new ConnectionFlow(window, 1000, budget, { sendWindow: (_streamId, bytes) => grants.push(bytes) }), grants };
}

describe('ConnectionFlow', () => {
  test('a peer past its connection credit is a FLOW_CONTROL_ERROR', () => {
    const { flow: f } = flow(100);
    f.received(100);
    let error: unknown;
    try {
      f.received(1);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FrameError);
    expect((error as FrameError).closeCode).toBe(CloseCode.FLOW_CONTROL_ERROR);
  });

  test('released bytes are granted back once a quarter of the window (at most 64 KiB) is owed', () => {
    const small = flow(1000);
    small.flow.received(600);
    small.flow.release(200);
    expect(small.grants).toEqual([]);
    small.flow.release(50);
    expect(small.grants).toEqual([250]);
    expect(small.flow.peerAllowance).toBe(650);
    const big = flow(64 * 1024 * 1024);
    big.flow.received(MAX_UNGRANTED_BYTES);
    big.flow.release(MAX_UNGRANTED_BYTES - 1);
    expect(big.grants).toEqual([]);
    big.flow.release(1);
    expect(big.grants).toEqual([MAX_UNGRANTED_BYTES]);
  });

  test('the largest message a sender starts leaves room for the credit a receiver may still owe', () => {
    expect(new ConnectionFlow(1, 8 * 1024 * 1024, undefined, { sendWindow: () => undefined }).maxSendableMessage).toBe(8 * 1024 * 1024 - MAX_UNGRANTED_BYTES);
  });

  test('while the shared budget is exhausted no connection grants; grants resume when it has room', () => {
    const budget = new MemoryBudget(500);
    const a = flow(400, budget);
    const b = flow(400, budget);
    a.flow.received(400);
    b.flow.received(400); // 800 held in all: over the budget
    b.flow.release(200); // b owes 200 (more than its grant step of 100), but the budget is still over
    expect(b.grants).toEqual([]);
    expect(budget.held).toBe(600);
    a.flow.release(400); // 200 held: room again; b's waiting grant goes, and a grants its own
    expect(b.grants).toEqual([200]);
    expect(a.grants).toEqual([400]);
    expect(b.flow.peerAllowance).toBe(200);
  });

  test('a connection that closes returns what it held to the budget', () => {
    const budget = new MemoryBudget(1000);
    const a = flow(4000, budget);
    a.flow.received(1500);
    expect(budget.exhausted).toBe(true);
    a.flow.dispose();
    expect(budget.held).toBe(0);
    expect(budget.exhausted).toBe(false);
  });
});
