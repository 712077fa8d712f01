// Partial services: `addService(def, impl, { partial: true })` and `@RpcService(def, { partial: true })`
// serve the methods given; the others answer UNIMPLEMENTED. Without the option every method is required.
import 'reflect-metadata';
import { RpcError, RpcServer, RpcService, Status, createChannel, createClient, type Channel, type ServiceImplementation } from '../../src';
import { TestServiceDefinition, type Payload } from '../../generated/test/testing';

@RpcService(TestServiceDefinition, { partial: true })
class UnaryOnly {
  async unary(request: Payload): Promise<Payload> {
    return { ...request, seq: request.seq + 1 };
  }
}

async function serve(register: (server: RpcServer) => void): Promise<{ server: RpcServer; channel: Channel }> {
  const server = new RpcServer();
  register(server);
  const { port } = await server.listen(0);
  const channel = createChannel({ host: '127.0.0.1', port });
  await channel.connect();
  return { server, channel };
}

async function expectUnimplemented(call: Promise<unknown>, method: string): Promise<void> {
  const error = (await call.then(
    () => undefined,
    (caught: unknown) => caught,
  )) as RpcError;
  expect(error).toBeInstanceOf(RpcError);
  expect(error.code).toBe(Status.UNIMPLEMENTED);
  expect(error.rawMessage).toContain(`/test.v1.TestService/${method} is not implemented`);
}

describe('partial services', () => {
  let running: { server: RpcServer; channel: Channel } | undefined;
  afterEach(async () => {
    running?.channel.close();
    await running?.server.close(0);
    running = undefined;
  });

  test.each([
    [
      'a plain object, addService(..., { partial: true })',
      (server: RpcServer) => server.addService(TestServiceDefinition, { unary: async (request) => ({ ...request, seq: request.seq + 1 }) }, { partial: true }),
    ],
    ['a class, @RpcService(..., { partial: true })', (server: RpcServer) => server.add(UnaryOnly)],
  ])('%s serves its methods; the others answer UNIMPLEMENTED', async (_name, register) => {
    running = await serve(register);
    const client = createClient(TestServiceDefinition, running.channel);
    await expect(client.unary({ seq: 1 })).resolves.toEqual({ body: Buffer.alloc(0), seq: 2 });
    await expectUnimplemented(client.sleep({ ms: 1 }), 'Sleep');
    await expectUnimplemented(
      client.clientStream(
        (async function* () {
          yield { seq: 1 };
        })(),
      ),
      'ClientStream',
    );
    await expectUnimplemented(
      (async () => {
        for await (const _ of client.serverStream({ seq: 1 })) {
          /* nothing */
        }
      })(),
      'ServerStream',
    );
    await expect(client.unary({ seq: 5 })).resolves.toMatchObject({ seq: 6 }); // the connection is fine
  });

  test('without the option an incomplete implementation is refused at registration, naming what is missing', () => {
    const server = new RpcServer();
    const incomplete = { unary: async (request: Payload) => request } as unknown as ServiceImplementation<typeof TestServiceDefinition>;
    expect(() => server.addService(TestServiceDefinition, incomplete)).toThrow(/does not implement test\.v1\.TestService: add serverStream\(request, context\).*partial/);
  });
});
