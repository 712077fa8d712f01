// The protobuf echo example (examples/echo) runs end to end: every method answers as the README says.
import 'reflect-metadata';
import { runEchoClient } from '../../examples/echo/client';
import { startEchoServer } from '../../examples/echo/server';

describe('examples/echo', () => {
  it('serves every EchoService method to the typed client', async () => {
    const lines: string[] = [];
    const log = (line: string): void => {
      lines.push(line);
    };
    const server = await startEchoServer(0, log);
    try {
      await runEchoClient(server.port, log);
    } finally {
      await server.close();
    }
    expect(lines).toContain('client: echo -> "hello" (call #1)');
    expect(lines).toContain('client: 3 calls in flight on one connection -> a, b, c');
    expect(lines.filter((line) => line.startsWith('client: echoStream ->'))).toEqual(['client: echoStream -> "tick #1"', 'client: echoStream -> "tick #2"', 'client: echoStream -> "tick #3"']);
    expect(lines.some((line) => line.startsWith('client: whoAmI with metadata user=ada -> user "ada" from 127.0.0.1:'))).toBe(true);
    expect(lines.some((line) => line.startsWith('client: whoAmI without metadata -> UNAUTHENTICATED'))).toBe(true);
    expect(lines.filter((line) => line.startsWith('server: /echo.v1.EchoService/Echo OK'))).toHaveLength(4);
  });
});
