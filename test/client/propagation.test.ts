// Deadline and cancellation propagation through two chained servers: A's handler calls B with { parent: context }.
import { WorkServiceDefinition, type WorkReply } from '../../generated/test/balancing';
import { RpcServer, Status, createChannel, createClient, type CallContext, type Channel, type RpcError } from '../../src';
import { aborted, deferred, recordingLogger, type Deferred } from '../rpc/harness';

describe('propagation to a chained call', () => {
  let front: RpcServer;
  let back: RpcServer;
  let toBack: Channel;
  let toFront: Channel;
  let backStarted: Deferred<CallContext>;
  let backEnded: Deferred<unknown>;
  let frontContext: CallContext | undefined;

  beforeAll(async () => {
    const empty = (): WorkReply => ({ server: 'unused', executions: 0, seq: 0 });
    // B's Relay waits until cancelled (or its deadline passes) and records how it ended; A's Relay calls it.
    back = new RpcServer({ logger: recordingLogger() }).addService(WorkServiceDefinition, {
      read: empty,
      put: empty,
      charge: empty,
      async relay(_request, context) {
        backStarted.resolve(context);
        backEnded.resolve(await aborted(context.signal));
        return { server: 'back', executions: 1, seq: 0 };
      },
      async *watch() {},
    });
    toBack = createChannel(`127.0.0.1:${(await back.listen(0)).port}`);
    const backClient = createClient(WorkServiceDefinition, toBack);
    front = new RpcServer({ logger: recordingLogger() }).addService(WorkServiceDefinition, {
      read: empty,
      put: empty,
      charge: empty,
      async relay(request, context) {
        frontContext = context;
        return backClient.relay(request, { parent: context });
      },
      async *watch() {},
    });
    toFront = createChannel(`127.0.0.1:${(await front.listen(0)).port}`);
  });
  beforeEach(() => {
    backStarted = deferred();
    backEnded = deferred();
  });
  afterAll(async () => {
    toFront.close();
    toBack.close();
    await Promise.all([front.close(0), back.close(0)]);
  });

  it('the outgoing call inherits the remaining deadline, and both fail DEADLINE_EXCEEDED when it passes', async () => {
    const client = createClient(WorkServiceDefinition, toFront);
    const call = client.relay({ key: 'deadline' }, { timeoutMs: 300 }).catch((e: RpcError) => e);
    const backContext = await backStarted.promise;
    expect(backContext.deadline).toBeDefined();
    // B's deadline is A's (sent as a remaining time, so within a few ms of it), never later.
    expect(Math.abs(backContext.deadline! - frontContext!.deadline!)).toBeLessThan(50);
    expect(backContext.remainingMs).toBeLessThanOrEqual(300);
    await backEnded.promise;
    expect(backContext.aborted).toBe(true);
    expect(((await call) as RpcError).code).toBe(Status.DEADLINE_EXCEEDED);
  });

  it('cancelling the incoming call cancels the outgoing one', async () => {
    const client = createClient(WorkServiceDefinition, toFront);
    const controller = new AbortController();
    const call = client.relay({ key: 'cancel' }, { signal: controller.signal }).catch((e: RpcError) => e);
    const backContext = await backStarted.promise;
    expect(backContext.deadline).toBeUndefined();
    controller.abort();
    await backEnded.promise;
    expect(backContext.aborted).toBe(true);
    expect(((await call) as RpcError).code).toBe(Status.CANCELLED);
  });

  it('an earlier deadline of the outgoing call itself still applies', async () => {
    const client = createClient(WorkServiceDefinition, toBack);
    const parent = { deadline: Date.now() + 10_000, signal: new AbortController().signal };
    const call = client.relay({ key: 'own' }, { parent, timeoutMs: 100 }).catch((e: RpcError) => e);
    const backContext = await backStarted.promise;
    expect(backContext.remainingMs).toBeLessThanOrEqual(100);
    expect(((await call) as RpcError).code).toBe(Status.DEADLINE_EXCEEDED);
  });

  it('a parent already past its deadline or cancelled sends nothing', async () => {
    const client = createClient(WorkServiceDefinition, toBack);
    await expect(client.read({ key: 'late' }, { parent: { deadline: Date.now() - 1, signal: new AbortController().signal } })).rejects.toMatchObject({ code: Status.DEADLINE_EXCEEDED });
    const cancelled = new AbortController();
    cancelled.abort();
    await expect(client.read({ key: 'cancelled' }, { parent: { deadline: undefined, signal: cancelled.signal } })).rejects.toMatchObject({ code: Status.CANCELLED });
  });
});
