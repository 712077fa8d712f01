// README "Operations: health": serve grpc.health.v1, set statuses, check and watch from a client.
import { RpcServer, ServingStatus, addHealthService, checkHealth, createChannel, servingStatusName, watchHealth } from '../../src';

export async function healthExample(): Promise<string[]> {
  const seen: string[] = [];
  // --- server
  const server = new RpcServer();
  const health = addHealthService(server); // "" (the whole server) starts SERVING
  health.setStatus('echo.v1.EchoService', ServingStatus.SERVING);
  await server.listen(0);

  // --- client
  const channel = createChannel(`127.0.0.1:${server.port}`);
  let closed: Promise<void> | undefined;
  seen.push(servingStatusName(await checkHealth(channel, 'echo.v1.EchoService', { timeoutMs: 1000 })));
  for await (const status of watchHealth(channel)) {
    seen.push(servingStatusName(status)); // SERVING now, NOT_SERVING once server.close() begins
    if (status === ServingStatus.SERVING) closed = server.close();
  }
  channel.close();
  await closed;
  return seen;
}
