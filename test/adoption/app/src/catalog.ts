// The app's own dependency: registered in the app's container, injected into framerpc-built handlers.
import type { Item } from '../generated/shop/v1/shop';

export class Catalog {
  private readonly items = new Map<string, Item>();

  constructor(initial: Item[]) {
    for (const item of initial) this.items.set(item.id, item);
  }

  find(id: string): Item | undefined {
    return this.items.get(id);
  }

  add(name: string): Item {
    const item = { id: `i${this.items.size + 1}`, name, addedAt: new Date() };
    this.items.set(item.id, item);
    return item;
  }

  all(): Item[] {
    return [...this.items.values()];
  }
}
