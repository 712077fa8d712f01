// A streaming call starts when it is made, not when its responses are first read (as in gRPC).
import { RpcServer, createChannel, createClient } from '../../src';
import { EchoServiceDefinition, type EchoReply } from '../../generated/echo/echo';

describe('streaming calls', () => {
  it('reach the server before the caller reads the first response', async () => {
    let reached!: () => void;
    const handlerStarted = new Promise<void>((resolve) => (reached = resolve));
    const server = new RpcServer().addService(EchoServiceDefinition, {
      echo: (request) => ({ text: request.text, servedBy: 0 }),
      async *echoStream(request): AsyncIterable<EchoReply> {
        reached();
        yield { text: request.text, servedBy: 0 };
      },
      whoAmI: () => ({ user: '', peer: '' }),
    });
    const { port } = await server.listen(0);
    const channel = createChannel(`127.0.0.1:${port}`);
    try {
      const echo = createClient(EchoServiceDefinition, channel);
      const stream = echo.echoStream({ text: 'early', count: 1 });
      await handlerStarted; // would never resolve if the call waited for the first read
      const texts: string[] = [];
      for await (const reply of stream) texts.push(reply.text);
      expect(texts).toEqual(['early']);
    } finally {
      channel.close();
      await server.close();
    }
  });
});
