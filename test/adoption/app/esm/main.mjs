// The same app from an ES module: framerpc, tsyringe and the app's compiled code imported with `import`.
import 'reflect-metadata';
import { createChannel, createClient, RpcError, Status } from 'framerpc';
import { createTestClient } from 'framerpc/testing';
import { ShopServiceDefinition } from '../dist/generated/shop/v1/shop.js';
import { startShop } from '../dist/src/server.js';
import { visitShop } from '../dist/src/client.js';

const server = await startShop(0);
try {
  const visit = await visitShop(`127.0.0.1:${server.port}`);
  const channel = createChannel(`127.0.0.1:${server.port}`);
  const error = await createClient(ShopServiceDefinition, channel).getItem({ id: 'nope' }).catch((e) => e);
  channel.close();
  const t = await createTestClient(ShopServiceDefinition, { getItem: () => ({ id: 'x', name: 'From test client' }) }, { partial: true });
  const fromTestClient = (await t.client.getItem({})).name;
  await t.close();
  console.log(JSON.stringify({ ...visit, esmError: error instanceof RpcError && error.code === Status.NOT_FOUND, fromTestClient }));
} finally {
  await server.close();
}
