// grpc.health.v1 over a real socket: Check per service, Watch streaming changes, NOT_SERVING through a graceful shutdown.
import 'reflect-metadata';
import { RpcError, RpcServer, Status, createChannel } from '../../src';
import { HealthService, ServingStatus, addHealthService, checkHealth, servingStatusName, watchHealth } from '../../src/health';
import { TestServiceDefinition, defaultHandlers, recordingLogger } from '../rpc/harness';

async function startServer(): Promise<{ server: RpcServer; health: HealthService; port: number }> {
  const server = new RpcServer({ logger: recordingLogger() });
  server.addService(TestServiceDefinition, defaultHandlers());
  const health = addHealthService(server, { statuses: { '': ServingStatus.SERVING, 'test.TestService': ServingStatus.SERVING } });
  const { port } = await server.listen(0);
  return { server, health, port };
}

describe('health service', () => {
  it('answers Check for the server, for a service, and NOT_FOUND for an unknown one', async () => {
    const { server, health, port } = await startServer();
    const channel = createChannel(`127.0.0.1:${port}`);
    try {
      expect(await checkHealth(channel)).toBe(ServingStatus.SERVING);
      expect(await checkHealth(channel, 'test.TestService', { timeoutMs: 1000 })).toBe(ServingStatus.SERVING);
      health.setStatus('test.TestService', ServingStatus.NOT_SERVING);
      expect(servingStatusName(await checkHealth(channel, 'test.TestService'))).toBe('NOT_SERVING');
      const error = await checkHealth(channel, 'no.Such').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RpcError);
      expect((error as RpcError).code).toBe(Status.NOT_FOUND);
    } finally {
      channel.close();
      await server.close(0);
    }
  });

  it('Watch sends the current status, each change, SERVICE_UNKNOWN then the status once set', async () => {
    const { server, health, port } = await startServer();
    const channel = createChannel(`127.0.0.1:${port}`);
    try {
      const seen: ServingStatus[] = [];
      const watch = watchHealth(channel, 'late.Service')[Symbol.asyncIterator]();
      seen.push((await watch.next()).value);
      health.setStatus('late.Service', ServingStatus.SERVING);
      seen.push((await watch.next()).value);
      health.setStatus('late.Service', ServingStatus.SERVING); // no change: nothing sent
      health.setStatus('late.Service', ServingStatus.NOT_SERVING);
      seen.push((await watch.next()).value);
      expect(seen).toEqual([ServingStatus.SERVICE_UNKNOWN, ServingStatus.SERVING, ServingStatus.NOT_SERVING]);
      await watch.return?.();
    } finally {
      channel.close();
      await server.close(0);
    }
  });

  it('reports NOT_SERVING to every watcher as soon as a graceful shutdown begins, then ends the watch', async () => {
    const { server, health, port } = await startServer();
    const channel = createChannel(`127.0.0.1:${port}`);
    const seenServer: string[] = [];
    const seenService: string[] = [];
    let closed: Promise<void> | undefined;
    const closeOnceBothWatch = (): void => {
      // A long grace: the watches must not hold the close up.
      if (!closed && seenServer.length > 0 && seenService.length > 0) closed = server.close(10_000);
    };
    const watching = (async () => {
      for await (const status of watchHealth(channel)) {
        seenServer.push(servingStatusName(status));
        closeOnceBothWatch();
      }
    })();
    const watchingService = (async () => {
      for await (const status of watchHealth(channel, 'test.TestService')) {
        seenService.push(servingStatusName(status));
        closeOnceBothWatch();
      }
    })();
    const started = Date.now();
    await Promise.all([watching, watchingService]);
    expect(seenServer).toEqual(['SERVING', 'NOT_SERVING']);
    expect(seenService).toEqual(['SERVING', 'NOT_SERVING']);
    expect(health.shuttingDown).toBe(true);
    health.setStatus('', ServingStatus.SERVING); // a server going down does not come back
    expect(health.getStatus('')).toBe(ServingStatus.NOT_SERVING);
    await closed;
    expect(Date.now() - started).toBeLessThan(5000);
    channel.close();
  });
});
