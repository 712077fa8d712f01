// An app written as ES modules ("type": "module", module nodenext), its stubs from `framerpc gen --esm`.
import { createChannel, createClient, RpcError, RpcServer, Status } from 'framerpc';
import { ShopServiceDefinition, type Item } from '../generated/shop/v1/shop.js';

const items = new Map<string, Item>([['i1', { id: 'i1', name: 'Anvil', addedAt: new Date(0) }]]);
const server = new RpcServer();
server.addService(
  ShopServiceDefinition,
  {
    getItem(request) {
      const item = items.get(request.id);
      if (!item) throw new RpcError(Status.NOT_FOUND, `no item ${request.id}`);
      return item;
    },
    async *watchItems() {
      yield* items.values();
    },
  },
  { partial: true },
);
await server.listen(0, '127.0.0.1');
const channel = createChannel(`127.0.0.1:${server.port}`);
try {
  const shop = createClient(ShopServiceDefinition, channel);
  const found = await shop.getItem({ id: 'i1' });
  const missing = await shop.getItem({ id: 'nope' }).catch((error: unknown) => error);
  const streamed: string[] = [];
  for await (const item of shop.watchItems({})) streamed.push(item.name);
  const unimplemented = await shop.addItem({ name: 'x' }).catch((error: unknown) => error);
  console.log(
    JSON.stringify({
      found: found.name,
      addedAt: found.addedAt?.toISOString(),
      missing: missing instanceof RpcError ? missing.codeName : String(missing),
      streamed,
      unimplemented: unimplemented instanceof RpcError ? unimplemented.codeName : String(unimplemented),
    }),
  );
} finally {
  channel.close();
  await server.close();
}
