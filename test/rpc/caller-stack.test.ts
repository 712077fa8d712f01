// A failed call's error carries the caller's own frames, though it was created in a socket callback.
import { RpcServer, RpcError, Status, createChannel, createClient } from '../../src';
import { EchoServiceDefinition } from '../../generated/echo/echo';

describe('caller stack', () => {
  it('names the method and includes the awaiting caller in the stack', async () => {
    const server = new RpcServer().addService(EchoServiceDefinition, {
      echo: () => {
        throw new RpcError(Status.NOT_FOUND, 'nothing here', { details: 'd' });
      },
      // eslint-disable-next-line require-yield -- a stream that fails before its first message
      async *echoStream() {
        throw new RpcError(Status.FAILED_PRECONDITION, 'no stream');
      },
      whoAmI: () => ({ user: '', peer: '' }),
    });
    const { port } = await server.listen(0);
    const channel = createChannel(`127.0.0.1:${port}`);
    const echo = createClient(EchoServiceDefinition, channel);
    async function callerOfUnary(): Promise<unknown> {
      return await echo.echo({ text: 'x' });
    }
    async function callerOfStream(): Promise<unknown[]> {
      const items = [];
      for await (const item of echo.echoStream({ text: 'x', count: 1 })) items.push(item);
      return items;
    }
    try {
      const unary = await callerOfUnary().catch((error: unknown) => error as RpcError);
      expect(unary).toBeInstanceOf(RpcError);
      expect((unary as RpcError).message).toBe('/echo.v1.EchoService/Echo failed with NOT_FOUND: nothing here');
      expect((unary as RpcError).stack).toContain('callerOfUnary');
      const stream = await callerOfStream().catch((error: unknown) => error as RpcError);
      expect((stream as RpcError).code).toBe(Status.FAILED_PRECONDITION);
      expect((stream as RpcError).stack).toContain('callerOfStream');
    } finally {
      channel.close();
      await server.close();
    }
  });
});
