// `npm run example:echo` as a process: serves EchoService with health and reflection, answers the CLI, and on
// SIGTERM reports NOT_SERVING to watchers, then shuts down gracefully and exits 0.
import { once } from 'node:events';
import * as path from 'node:path';
import { createChannel, servingStatusName, watchHealth } from '../../src';
import { prepareCli } from '../cli/cli-process';

it('serves until SIGTERM, then turns NOT_SERVING and closes gracefully', async () => {
  const example = prepareCli(path.join('examples', 'echo', 'serve.ts'));
  const cli = prepareCli();
  const child = example.spawn(['--port', '0']);
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const exited = once(child, 'exit');
  try {
    while (!/listening on 127\.0\.0\.1:(\d+)/.test(stdout)) await once(child.stdout, 'data');
    const address = `127.0.0.1:${/listening on 127\.0\.0\.1:(\d+)/.exec(stdout)![1]}`;

    const [list, call, health] = await Promise.all([
      cli.run(['list', address]),
      cli.run(['call', address, 'echo.v1.EchoService/Echo', '{"text":"hello"}']),
      cli.run(['health', address, 'echo.v1.EchoService']),
    ]);
    expect(list.stdout).toBe('echo.v1.EchoService\ngrpc.health.v1.Health\ngrpc.reflection.v1.ServerReflection\n');
    expect(JSON.parse(call.stdout)).toEqual({ text: 'hello', servedBy: 1 });
    expect([health.status, health.stdout]).toEqual([0, 'SERVING\n']);

    const channel = createChannel(address);
    const seen: string[] = [];
    for await (const status of watchHealth(channel, 'echo.v1.EchoService')) {
      seen.push(servingStatusName(status));
      if (seen.length === 1) child.kill('SIGTERM');
    }
    channel.close();
    expect(seen).toEqual(['SERVING', 'NOT_SERVING']);
    const [code] = await exited;
    expect(code).toBe(0);
    expect(stdout).toContain('echo: SIGTERM, shutting down gracefully\n');
    expect(stdout).toContain('echo: closed\n');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
