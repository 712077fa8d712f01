// README "Operations: reflection": serve descriptors, then call a service knowing nothing but its name.
import * as path from 'node:path';
import { ReflectionClient, RpcServer, addReflectionService, createChannel, createDynamicClient } from '../../src';
import { EchoHandler } from '../echo/echo-handler';

export async function reflectionExample(): Promise<{ services: string[]; reply: unknown }> {
  // --- server: generated services carry no descriptors, so reflection reads their .proto files
  const server = new RpcServer();
  server.add(EchoHandler);
  addReflectionService(server, { protoFiles: ['echo/echo.proto'], includeDirs: [path.join(__dirname, '../../proto')] });
  await server.listen(0);

  // --- client: no .proto files, no generated code
  const channel = createChannel(`127.0.0.1:${server.port}`);
  const reflection = new ReflectionClient(channel, { timeoutMs: 2000 });
  const services = await reflection.listServices(); // ['echo.v1.EchoService', 'grpc.reflection.v1.ServerReflection']
  const echo = createDynamicClient(await reflection.serviceDefinition('echo.v1.EchoService'), channel);
  const reply = await echo.echo({ text: 'found by reflection' });
  channel.close();
  await server.close();
  return { services, reply };
}
