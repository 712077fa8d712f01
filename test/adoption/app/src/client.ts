// A typed client of the shop: calls, a stream, an error, and pushes to the room it joined.
import { createChannel, createClient, joinRoom, RpcError, subscribePush } from 'framerpc';
import { ShopEventsDefinition, ShopServiceDefinition, type Item } from '../generated/shop/v1/shop';

export async function visitShop(address: string): Promise<Record<string, unknown>> {
  const channel = createChannel(address);
  try {
    const shop = createClient(ShopServiceDefinition, channel);
    const events = subscribePush(ShopEventsDefinition, channel);
    const pushed: string[] = [];
    const twoPushes = new Promise<void>((resolve) => {
      events.itemAdded.on((item: Item) => {
        pushed.push(item.name);
        if (pushed.length === 2) resolve();
      });
    });
    await joinRoom(channel, 'shop'); // subscribes first, then joins: the welcome push arrives
    const anvil = await shop.getItem({ id: 'i1' });
    const added = await shop.addItem({ name: 'Bolt' }); // pushed to the room, this client included
    const missing = await shop.getItem({ id: 'nope' }).catch((error: unknown) => error);
    const streamed: string[] = [];
    for await (const item of shop.watchItems({})) streamed.push(item.name);
    await twoPushes;
    return {
      anvil: { name: anvil.name, addedAt: anvil.addedAt?.toISOString() },
      added: added.name,
      notFound: missing instanceof RpcError ? `${missing.codeName}: ${missing.rawMessage}` : String(missing),
      streamed,
      pushed,
    };
  } finally {
    channel.close();
  }
}
