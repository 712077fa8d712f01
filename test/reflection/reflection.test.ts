// Server reflection over a real socket: list the services, describe them from descriptors alone, call them dynamically.
import 'reflect-metadata';
import * as path from 'node:path';
import * as descriptor from 'protobufjs/ext/descriptor';
import { RpcError, RpcServer, Status, createChannel, createDynamicClient, loadServiceDefinitions, type Channel } from '../../src';
import { addHealthService } from '../../src/health';
import { ReflectionClient, addReflectionService } from '../../src/reflection';
import { TestServiceDefinition, defaultHandlers, recordingLogger } from '../rpc/harness';

const PROTO_DIR = path.join(__dirname, '..', '..', 'proto');

describe('server reflection', () => {
  let server: RpcServer;
  let channel: Channel;
  let reflection: ReflectionClient;

  beforeAll(async () => {
    server = new RpcServer({ logger: recordingLogger() });
    server.addService(TestServiceDefinition, defaultHandlers()); // generated: described from protoFiles
    const loaded = await loadServiceDefinitions('echo/echo.proto', { includeDirs: [PROTO_DIR] }); // dynamic: described from its own root
    server.addService(loaded['echo.v1.EchoService'], {
      echo: (request) => ({ text: request.text, servedBy: 7 }),
      async *echoStream(request) {
        for (let i = 0; i < request.count; i++) yield { text: `${request.text} #${i + 1}`, servedBy: 7 };
      },
      whoAmI: (_request, context) => ({ user: String(context.metadata.get('user') ?? ''), peer: context.peer }),
    });
    // A service whose messages come from another package (chat.v1 imports framerpc.push.v1).
    const chat = await loadServiceDefinitions('chat/chat.proto', { includeDirs: [PROTO_DIR] });
    server.addService(chat['chat.v1.ChatEvents'], { messagePosted: () => ({}), userJoined: () => ({}), userLeft: () => ({}) });
    addHealthService(server);
    addReflectionService(server, { protoFiles: ['test/testing.proto'], includeDirs: [PROTO_DIR] });
    const { port } = await server.listen(0);
    channel = createChannel(`127.0.0.1:${port}`);
    reflection = new ReflectionClient(channel, { timeoutMs: 2000 });
  });

  afterAll(async () => {
    channel.close();
    await server.close(0);
  });

  it('lists every service the server serves', async () => {
    expect((await reflection.listServices()).sort()).toEqual(['chat.v1.ChatEvents', 'echo.v1.EchoService', 'grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'test.v1.TestService']);
  });

  it('describes a service, its methods and message types from the descriptors alone', async () => {
    const root = await reflection.root(['test.v1.TestService']);
    const service = root.lookupService('test.v1.TestService');
    const kinds = service.methodsArray.map((method) => `${method.name}:${method.requestStream ? 's' : 'u'}${method.responseStream ? 's' : 'u'}`);
    expect(kinds).toEqual(['Unary:uu', 'ServerStream:us', 'ClientStream:su', 'Bidi:ss', 'Sleep:uu', 'Fail:uu']);
    const payload = root.lookupType('test.v1.Payload');
    expect(payload.fieldsArray.map((field) => `${field.name}:${field.type}`)).toEqual(['body:bytes', 'seq:uint32']);
    const health = await reflection.root(['grpc.health.v1.Health']);
    const status = health.lookupEnum('grpc.health.v1.HealthCheckResponse.ServingStatus');
    expect(status.values.NOT_SERVING).toBe(2);
  });

  it('builds a dynamic client from reflection that calls generated and dynamic services', async () => {
    const test = createDynamicClient(await reflection.serviceDefinition('test.v1.TestService'), channel);
    expect(await test.unary({ body: Buffer.from('hi'), seq: 3 })).toEqual({ body: Buffer.from('hi'), seq: 3 });
    const streamed: number[] = [];
    for await (const item of test.serverStream({ body: Buffer.alloc(0), seq: 3 })) streamed.push(item.seq);
    expect(streamed).toEqual([0, 1, 2]);

    const echo = createDynamicClient(await reflection.serviceDefinition('echo.v1.EchoService'), channel);
    expect(await echo.echo({ text: 'reflected' })).toEqual({ text: 'reflected', servedBy: 7 });
  });

  it('sends a file with its dependencies, by symbol and by file name', async () => {
    const names = (files: Uint8Array[]): { name: string; dependency: string[] }[] =>
      files.map((bytes) => {
        const file = descriptor.FileDescriptorProto.decode(bytes) as unknown as { name: string; dependency: string[] };
        return { name: file.name, dependency: file.dependency };
      });
    const bySymbol = names(await reflection.fileDescriptorsForSymbol('chat.v1.ChatEvents.MessagePosted'));
    expect(bySymbol).toEqual([
      { name: 'chat_v1.proto', dependency: ['framerpc_push_v1.proto'] },
      { name: 'framerpc_push_v1.proto', dependency: [] },
    ]);
    expect(names(await reflection.fileDescriptorsByName('framerpc_push_v1.proto'))).toEqual([{ name: 'framerpc_push_v1.proto', dependency: [] }]);
    const root = await reflection.root(['chat.v1.ChatEvents']);
    expect(root.lookupService('chat.v1.ChatEvents').methods.MessagePosted.resolvedResponseType?.fullName).toBe('.framerpc.push.v1.PushAck');
  });

  it('answers NOT_FOUND for a symbol it does not know', async () => {
    const error = await reflection.fileDescriptorsForSymbol('no.such.Thing').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe(Status.NOT_FOUND);
  });
});
