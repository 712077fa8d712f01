// The app's own test of its handler, with framerpc's testing helper (run with node --test).
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { container } from 'tsyringe';
import { PushHub, RpcServer, Status } from 'framerpc';
import { createTestClient } from 'framerpc/testing';
import { ShopServiceDefinition } from '../generated/shop/v1/shop';
import { Catalog } from '../src/catalog';
import { ShopHandler } from '../src/shop-handler';

test('ShopHandler finds items and says NOT_FOUND for others', async () => {
  container.registerInstance(Catalog, new Catalog([{ id: 'i1', name: 'Anvil', addedAt: undefined }]));
  container.registerInstance(PushHub, new PushHub(new RpcServer()));
  const t = await createTestClient(ShopServiceDefinition, ShopHandler);
  try {
    assert.equal((await t.client.getItem({ id: 'i1' })).name, 'Anvil');
    await assert.rejects(t.client.getItem({ id: 'i9' }), { code: Status.NOT_FOUND });
  } finally {
    await t.close();
  }
});
