// The ShopService handler: framerpc builds it with tsyringe, from the app's own container.
import { PushHub, RpcError, RpcService, Status, type CallContext } from 'framerpc';
import { ShopEventsDefinition, ShopServiceDefinition, type AddItemRequest, type GetItemRequest, type Item } from '../generated/shop/v1/shop';
import { Catalog } from './catalog';

@RpcService(ShopServiceDefinition)
export class ShopHandler {
  constructor(
    private readonly catalog: Catalog, // registered by the app: container.registerInstance(Catalog, ...)
    private readonly hub: PushHub,
  ) {}

  getItem(request: GetItemRequest): Item {
    const item = this.catalog.find(request.id);
    if (!item) throw new RpcError(Status.NOT_FOUND, `no item ${request.id}`);
    return item;
  }

  addItem(request: AddItemRequest): Item {
    const item = this.catalog.add(request.name);
    this.hub.emitter(ShopEventsDefinition).toRoom('shop').itemAdded(item); // to every member of the room
    return item;
  }

  async *watchItems(_request: unknown, context: CallContext): AsyncIterable<Item> {
    for (const item of this.catalog.all()) {
      if (context.aborted) return;
      yield item;
    }
  }
}
