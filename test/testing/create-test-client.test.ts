// createTestClient: a service and a typed client over loopback in one call, closed by one call.
import 'reflect-metadata';
import { container } from 'tsyringe';
import { RpcService, Status, createTestClient, tsyringeResolver, type ClientInterceptor } from '../../src';
import { EchoServiceDefinition } from '../../generated/echo/echo';
import { TestServiceDefinition, type Payload } from '../../generated/test/testing';
import { defaultHandlers } from '../rpc/harness';

@RpcService(TestServiceDefinition, { partial: true })
class Doubler {
  unary(request: Payload): Payload {
    return { ...request, seq: request.seq * 2 };
  }
}

describe('createTestClient', () => {
  test('serves a plain object; close() closes client and server', async () => {
    const t = await createTestClient(TestServiceDefinition, defaultHandlers());
    await expect(t.client.unary({ seq: 3 })).resolves.toMatchObject({ seq: 3 });
    const seqs: number[] = [];
    for await (const message of t.client.serverStream({ seq: 2 })) seqs.push(message.seq);
    expect(seqs).toEqual([0, 1]);
    await t.close();
    expect(t.server.transport.connections.size).toBe(0);
    await expect(t.client.unary({ seq: 1 })).rejects.toMatchObject({ code: Status.UNAVAILABLE });
  });

  test('serves a decorated class from the container given in the server options, with channel options', async () => {
    const calls: string[] = [];
    const record: ClientInterceptor = (call, next) => {
      calls.push(call.method);
      return next();
    };
    const t = await createTestClient(TestServiceDefinition, Doubler, { server: { resolver: tsyringeResolver(container.createChildContainer()) }, channel: { interceptors: [record] } });
    try {
      await expect(t.client.unary({ seq: 21 })).resolves.toMatchObject({ seq: 42 });
      await expect(t.client.sleep({ ms: 1 })).rejects.toMatchObject({ code: Status.UNIMPLEMENTED });
      expect(calls).toEqual(['/test.v1.TestService/Unary', '/test.v1.TestService/Sleep']);
    } finally {
      await t.close();
    }
  });

  test('partial plain objects on request; a class bound to another definition is refused', async () => {
    const t = await createTestClient(TestServiceDefinition, { unary: (request) => request }, { partial: true });
    try {
      await expect(t.client.fail({})).rejects.toMatchObject({ code: Status.UNIMPLEMENTED });
    } finally {
      await t.close();
    }
    await expect(createTestClient(EchoServiceDefinition, Doubler)).rejects.toThrow('Doubler is decorated with @RpcService(test.v1.TestService), not echo.v1.EchoService');
  });
});
