// Runs the shop server and a client against it, prints what happened as one JSON line.
import { startShop } from './server';
import { visitShop } from './client';

async function main(): Promise<void> {
  const server = await startShop(0);
  try {
    console.log(JSON.stringify(await visitShop(`127.0.0.1:${server.port}`)));
  } finally {
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
