// `npm run demo`: starts the echo server, runs the typed client against it, prints what happened, exits 0.
import { runEchoClient } from './client';
import { startEchoServer } from './server';

async function main(): Promise<void> {
  const server = await startEchoServer(0);
  console.log(`server: listening on 127.0.0.1:${server.port}`);
  await runEchoClient(server.port);
  await server.close();
  console.log('server: closed. Demo finished.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
