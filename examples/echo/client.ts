// A typed client of EchoService: every method, request and response typed from echo.proto.
import { createChannel, createClient, RpcError } from '../../src';
import { EchoServiceDefinition } from '../../generated/echo/echo';

/** Calls every EchoService method once and reports what came back. */
export async function runEchoClient(port: number, log: (line: string) => void = console.log): Promise<void> {
  const channel = createChannel(`127.0.0.1:${port}`);
  const echo = createClient(EchoServiceDefinition, channel);
  try {
    const reply = await echo.echo({ text: 'hello' });
    log(`client: echo -> "${reply.text}" (call #${reply.servedBy})`);

    const many = await Promise.all(['a', 'b', 'c'].map((text) => echo.echo({ text })));
    log(`client: 3 calls in flight on one connection -> ${many.map((r) => r.text).join(', ')}`);

    for await (const item of echo.echoStream({ text: 'tick', count: 3 })) log(`client: echoStream -> "${item.text}"`);

    const me = await echo.whoAmI({}, { metadata: { user: 'ada' } });
    log(`client: whoAmI with metadata user=ada -> user "${me.user}" from ${me.peer}`);

    try {
      await echo.whoAmI({});
    } catch (error) {
      if (!(error instanceof RpcError)) throw error;
      log(`client: whoAmI without metadata -> ${error.codeName}: ${error.message}`);
    }
  } finally {
    channel.close();
  }
}
