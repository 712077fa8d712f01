// Starts the shop: the app's container holds the Catalog and the PushHub; framerpc builds the handler from it.
import 'reflect-metadata';
import { container } from 'tsyringe';
import { PushHub, RpcServer } from 'framerpc';
import { ShopEventsDefinition } from '../generated/shop/v1/shop';
import { Catalog } from './catalog';
import { ShopHandler } from './shop-handler';

export async function startShop(port = 0): Promise<RpcServer> {
  const server = new RpcServer(); // builds handlers from tsyringe's root container: the app's own
  const hub = new PushHub(server);
  container.registerInstance(PushHub, hub);
  container.registerInstance(Catalog, new Catalog([{ id: 'i1', name: 'Anvil', addedAt: new Date('2026-01-01T00:00:00Z') }]));
  // The join handshake: a push sent while the client joins reaches it (it subscribed first).
  hub.on('join', (connectionId) => {
    hub.emitter(ShopEventsDefinition).toConnection(connectionId).itemAdded({ id: 'welcome', name: 'Welcome', addedAt: undefined });
  });
  server.add(ShopHandler);
  await server.listen(port, '127.0.0.1');
  return server;
}
