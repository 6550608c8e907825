import { newOrderNumber } from '../src/domain/ids';
import { silentLogger } from '../src/logger';
import { createApiPlacementAdapter } from '../src/placement/api-adapter';
import {
  PermanentPlacementError,
  PriceMismatchError,
  TransientPlacementError,
  type PlacementAdapter,
  type PlacementContext,
  type PlacementOrder,
} from '../src/placement/placement-adapter';
import { createPlatformCheckoutJournal } from '../src/repositories/platform-checkouts-repository';
import { callsField, startDelayingProxy, type DelayingProxy } from './support/delaying-proxy';
import { ADDRESS } from './support/checkout-harness';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { waitFor } from './support/wait-for';
import { usePlatform } from './support/test-platforms';
import { vendureAdmin, type VendureAdmin } from './support/vendure-admin';
import type { VendurePlatform } from './platforms/vendure/start';

/** The Vendure connector on its own (through the api adapter), against the real Vendure and our real journal table. */
let platform: Omit<VendurePlatform, 'stop'>;
let release: () => Promise<void>;
let vendure: VendureAdmin;
let database: TestDatabase;
let adapter: PlacementAdapter;
let proxy: DelayingProxy;
const SKU = `CONN-${Date.now().toString(36).toUpperCase()}`;

beforeAll(async () => {
  ({ platform, release } = await usePlatform('vendure'));
  vendure = vendureAdmin(platform);
  database = await createTestDatabase(2);
  adapter = createApiPlacementAdapter({ journal: createPlatformCheckoutJournal(database.db) });
  proxy = await startDelayingProxy(new URL(platform.shopApiUrl).origin);
  await vendure.createProduct({ sku: SKU, name: 'Connector mug', priceCents: 1600, stock: 50 });
}, 180_000);
afterEach(() => proxy.clearRules());
afterAll(async () => {
  await proxy?.close();
  await database?.drop();
  await release?.();
});

function config(overrides: Record<string, unknown> = {}) {
  return {
    platform: 'vendure',
    shopApiUrl: platform.shopApiUrl,
    adminApiUrl: platform.adminApiUrl,
    adminUsername: platform.adminUsername,
    adminPassword: platform.adminPassword,
    paymentMethodCode: platform.paymentMethodCode,
    customerEmailAddress: 'purchasing@mor.example',
    orderReferenceField: platform.orderReferenceField,
    timeoutMs: 5000,
    ...overrides,
  };
}

/** 2 × 16.00, 7.25 % tax, Vendure's standard shipping 5.00. */
function order(quantity = 2, sku = SKU): PlacementOrder {
  const subtotalCents = 1600 * quantity;
  const taxCents = Math.round(subtotalCents * 0.0725);
  return {
    orderNumber: newOrderNumber(),
    storeSlug: 'vendure-connector',
    storeName: 'Vendure connector',
    currency: 'usd',
    items: [
      {
        orderItemId: 'item-1',
        sku,
        name: 'Connector mug',
        quantity,
        unitPriceCents: 1600,
        totalPriceCents: subtotalCents,
      },
    ],
    shippingAddress: ADDRESS,
    subtotalCents,
    shippingCents: 500,
    taxCents,
    totalCents: subtotalCents + taxCents + 500,
  };
}

const context = (attempt = 1, overrides: Record<string, unknown> = {}, priceToleranceCents = 0): PlacementContext => ({
  config: config(overrides),
  priceToleranceCents,
  attempt,
  logger: silentLogger,
});

describe('the vendure connector', () => {
  it('when the same order is placed twice, then the second answer is the first Vendure order and nothing is bought again', async () => {
    const ours = order();
    const first = await adapter.place(ours, context());
    const second = await adapter.place(ours, context(2));
    expect(first).toMatchObject({ kind: 'placed', retailerTotalCents: ours.totalCents });
    expect(second).toMatchObject({
      kind: 'placed',
      storeOrderNumber: (first as { storeOrderNumber: string }).storeOrderNumber,
      details: expect.objectContaining({ recoveredByLookup: true }),
    });
    const atVendure = await vendure.ordersByReference(ours.orderNumber);
    expect(atVendure.map((o) => [o.code, o.state])).toEqual([
      [(first as { storeOrderNumber: string }).storeOrderNumber, 'PaymentSettled'],
    ]);
  });

  it('answers lookups with what Vendure holds: placed, never started, started and unpaid, or unknown when it cannot be asked', async () => {
    const ours = order(1);
    const placed = await adapter.place(ours, context());
    expect(await adapter.lookup!(ours, context())).toEqual({
      kind: 'placed',
      result: expect.objectContaining({ storeOrderNumber: (placed as { storeOrderNumber: string }).storeOrderNumber }),
    });
    expect(await adapter.lookup!(order(), context())).toMatchObject({
      kind: 'not_placed',
      evidence: expect.stringMatching(/no vendure order was started/),
    });

    const dear = order(1);
    await expect(adapter.place({ ...dear, totalCents: dear.totalCents - 200 }, context())).rejects.toBeInstanceOf(
      PriceMismatchError,
    );
    expect(await adapter.lookup!(dear, context())).toMatchObject({
      kind: 'not_placed',
      evidence: expect.stringMatching(/is in state AddingItems, never paid/),
    });
    expect(await adapter.lookup!(ours, context(1, { adminApiUrl: 'http://127.0.0.1:9/admin-api' }))).toMatchObject({
      kind: 'unknown',
      reason: expect.stringMatching(/connection failed/),
    });
  });

  it('when a payment was sent and its answer never seen, then lookup shuts the door on it before it answers not_placed', async () => {
    // The payment sits in the proxy past our timeout: Vendure has not seen it yet when we ask.
    proxy.addRule({ match: callsField('addPaymentToOrder'), delayRequestMs: 2500, times: 1 });
    const ours = order(1);
    const slow = context(1, { shopApiUrl: `${proxy.url}/shop-api`, timeoutMs: 1000 });
    await expect(adapter.place(ours, slow)).rejects.toBeInstanceOf(TransientPlacementError);

    expect(await adapter.lookup!(ours, slow)).toMatchObject({
      kind: 'not_placed',
      evidence: expect.stringMatching(/moved back to AddingItems so a late payment cannot land/),
    });
    // The late payment reaches Vendure and is refused: nothing was bought.
    await waitFor(async () => proxy.inFlight() === 0, 15_000, 'the late payment to reach Vendure');
    const [atVendure, ...more] = await vendure.ordersByReference(ours.orderNumber);
    expect(more).toEqual([]);
    expect(atVendure).toMatchObject({ state: 'AddingItems', orderPlacedAt: null, payments: [] });
  });

  it('when our record of the Vendure order is lost, then our reference at the shop still finds the paid order', async () => {
    const ours = order(1);
    const first = (await adapter.place(ours, context())) as { storeOrderNumber: string };
    await database.db('platform_checkouts').where({ order_number: ours.orderNumber }).delete();
    expect(await adapter.lookup!(ours, context())).toMatchObject({
      kind: 'placed',
      result: { storeOrderNumber: first.storeOrderNumber },
    });
    expect(await adapter.place(ours, context(2))).toMatchObject({
      storeOrderNumber: first.storeOrderNumber,
      details: expect.objectContaining({ recoveredByLookup: true }),
    });
    expect(await vendure.ordersByReference(ours.orderNumber)).toHaveLength(1);
  });

  it('reads a placed order’s status from the Admin API', async () => {
    const placed = (await adapter.place(order(1), context())) as { storeOrderNumber: string };
    const status = await adapter.statusPolling!.readStatus(placed.storeOrderNumber, {
      config: config(),
      logger: silentLogger,
    });
    expect(status).toEqual({ state: 'open', retailerState: 'PaymentSettled' });
    expect(adapter.statusPolling!.platforms).toEqual(['vendure']);
  });

  it('maps what goes wrong to the placement taxonomy', async () => {
    const refusedSignIn = adapter.place(order(), context(1, { adminPassword: 'wrong' }));
    await expect(refusedSignIn).rejects.toMatchObject({
      code: 'config_invalid',
      message: expect.stringMatching(/sign-in refused/),
    });
    await expect(
      adapter.place(order(), context(1, { shopApiUrl: 'http://127.0.0.1:9/shop-api' })),
    ).rejects.toBeInstanceOf(TransientPlacementError);
    await expect(adapter.place(order(1, 'NO-SUCH-SKU'), context())).rejects.toMatchObject({
      code: 'out_of_stock',
      details: { missingSkus: ['NO-SUCH-SKU'] },
    });
    await expect(adapter.place(order(), context(1, { paymentMethodCode: 'no-such-method' }))).rejects.toMatchObject({
      code: 'config_invalid',
    });
    await expect(adapter.place(order(), context(1, { shippingMethodCode: 'by-balloon' }))).rejects.toBeInstanceOf(
      PermanentPlacementError,
    );
  });

  it('when another buyer takes the last units between our add and the payment step, then it is out_of_stock and nothing is paid', async () => {
    const sku = `${SKU}-LAST`;
    await vendure.createProduct({ sku, name: 'Connector mug', priceCents: 1600, stock: 2 });
    proxy.addRule({ match: callsField('ArrangingPayment'), hold: true, times: 1 });
    const arranging = proxy.seen(callsField('ArrangingPayment'));
    const ours = order(2, sku);
    const placing = adapter.place(ours, context(1, { shopApiUrl: `${proxy.url}/shop-api` }));
    await arranging;
    await vendure.setVariant(sku, { stock: 0 });
    proxy.releaseHeld();
    await expect(placing).rejects.toMatchObject({
      code: 'out_of_stock',
      message: expect.stringMatching(/insufficient stock/),
    });
    expect((await vendure.ordersByReference(ours.orderNumber)).map((o) => o.orderPlacedAt)).toEqual([null]);
  });

  it('validates a store config field by field, and names the platforms a deployment has', () => {
    expect(adapter.validateConfig({ platform: 'vendure', shopApiUrl: 'not a url' })).toMatchObject({
      shopApiUrl: 'must be an http(s) URL',
      adminApiUrl: expect.any(String),
      paymentMethodCode: 'is required',
      customerEmailAddress: expect.any(String),
    });
    expect(adapter.validateConfig(config())).toEqual({});
    expect(adapter.validateConfig({ platform: 'magento' })).toEqual({
      platform: expect.stringMatching(/"magento" is not available.*mor-retailer-api, vendure/),
    });
    expect(createApiPlacementAdapter().validateConfig(config())).toEqual({
      platform: expect.stringMatching(/"vendure" is not available/),
    });
  });
});
