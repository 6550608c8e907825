import { admin, ADDRESS, startPlacementHarness, waitFor, type PlacementHarness } from './support/placement-harness';
import { bearer } from './support/tokens';
import { usePlatform } from './support/test-platforms';
import { vendureAdmin, type VendureAdmin } from './support/vendure-admin';
import { createVendureStore } from './support/vendure-store';
import type { VendurePlatform } from './platforms/vendure/start';

/**
 * The shopper's shipping choice reaching a real Vendure: a store's option ids are the shop's shipping method codes
 * (tests/platforms/vendure/initial-data.json populates "Standard Shipping" 5.00 and "Express Shipping" 15.00).
 */
let h: PlacementHarness;
let platform: Omit<VendurePlatform, 'stop'>;
let release: () => Promise<void>;
let vendure: VendureAdmin;

beforeAll(async () => {
  ({ platform, release } = await usePlatform('vendure'));
  vendure = vendureAdmin(platform);
  h = await startPlacementHarness();
}, 180_000);
afterAll(async () => {
  await h?.close();
  await release?.();
});

const sessionsUrl = '/api/v1/checkout/sessions';

/** A checkout of one line in which the shopper picks `optionId` for the store; answers the placed order. */
async function checkoutChoosing(userId: string, storeSlug: string, storeId: string, sku: string, optionId: string) {
  const shopper = bearer(userId);
  await h.http.post('/api/v1/cart/items').set(shopper).send({ storeSlug, sku, quantity: 1 }).expect(201);
  const id = (await h.http.post(sessionsUrl).set(shopper).expect(201)).body.data.sessionId as string;
  await h.http.put(`${sessionsUrl}/${id}/shipping`).set(shopper).send(ADDRESS).expect(200);
  await h.http.put(`${sessionsUrl}/${id}/payment`).set(shopper).send({ paymentMethodId: 'pm_card_visa' }).expect(200);
  const chosen = await h.http
    .put(`${sessionsUrl}/${id}/shipping-options`)
    .set(shopper)
    .send({ choices: [{ storeId, optionId }] })
    .expect(200);
  const placed = await h.http
    .post(`${sessionsUrl}/${id}/place`)
    .set(shopper)
    .set('Idempotency-Key', `place-${id}`)
    .expect(201);
  return {
    store: chosen.body.data.cartSnapshot.stores[0],
    order: placed.body.data.orders[0] as { orderNumber: string; totalCents: number },
  };
}

const setOptions = (
  slug: string,
  options: { id: string; name: string; priceCents: number; minDays?: number; maxDays?: number }[],
  source?: 'retailer',
) => h.http.put(`/api/v1/admin/stores/${slug}/shipping-options`).set(admin).send({ options, source }).expect(200);

describe('a shipping choice bought at Vendure', () => {
  it('when the shopper picks express shipping, then the Vendure order ships by express-shipping at its price', async () => {
    const shop = await createVendureStore(h, platform, vendure, 'vnd-express', {
      products: [{ name: 'Camp lantern', priceCents: 3600 }],
    });
    await setOptions(shop.slug, [
      { id: 'standard-shipping', name: 'Standard', priceCents: 500, minDays: 3, maxDays: 7 },
      { id: 'express-shipping', name: 'Express', priceCents: 1500, minDays: 1, maxDays: 2 },
    ]);
    const { store, order } = await checkoutChoosing(
      'vnd-express-shopper',
      shop.slug,
      shop.storeId,
      shop.skus[0]!,
      'express-shipping',
    );
    // 36.00 + 7.25 % tax + Vendure's express 15.00 (the cheapest, standard, would be 5.00).
    expect(store).toMatchObject({ shippingOption: { id: 'express-shipping' }, shippingCents: 1500 });
    expect(order.totalCents).toBe(3600 + 261 + 1500);

    const placed = await h.waitForStatus(order.orderNumber, 'placed', 30_000);
    expect(placed).toMatchObject({
      retailerTotalCents: order.totalCents,
      shippingOption: { id: 'express-shipping', name: 'Express' },
    });
    const [atVendure, ...more] = await vendure.ordersByReference(order.orderNumber);
    expect(more).toEqual([]);
    expect(atVendure).toMatchObject({
      code: placed.storeOrderNumber,
      state: 'PaymentSettled',
      totalWithTax: order.totalCents,
    });
    expect(atVendure!.shippingLines).toEqual([{ shippingMethod: { code: 'express-shipping' }, priceWithTax: 1500 }]);
  }, 60_000);

  it('when the shopper picks an option Vendure does not offer, then nothing is paid there and the order goes to the fallback as config_invalid', async () => {
    const shop = await createVendureStore(h, platform, vendure, 'vnd-nosuch', {
      products: [{ name: 'Trail mug', priceCents: 1200 }],
      fallbackMethod: 'manual',
    });
    await setOptions(shop.slug, [
      { id: 'standard-shipping', name: 'Standard', priceCents: 500 },
      { id: 'overnight-drone', name: 'Overnight drone', priceCents: 500 },
    ]);
    const { order } = await checkoutChoosing(
      'vnd-nosuch-shopper',
      shop.slug,
      shop.storeId,
      shop.skus[0]!,
      'overnight-drone',
    );

    const task = await waitFor(() => h.liveTaskOf(order.orderNumber), 20_000, 'fallback task');
    expect(task).toMatchObject({ kind: 'place_order', status: 'open' });
    const [attempt] = await h.attemptsOf(order.orderNumber);
    expect(attempt).toMatchObject({ outcome: 'permanent_error', error_code: 'config_invalid' });
    expect(attempt.message).toMatch(/overnight-drone.*offered: .*express-shipping/);
    const atVendure = await vendure.ordersByReference(order.orderNumber);
    expect(atVendure.filter((o) => o.orderPlacedAt !== null)).toEqual([]);
    expect(atVendure.map((o) => o.payments)).toEqual([[]]);
  }, 60_000);

  it('when the store’s options come from Vendure, then the session lists its eligible methods at Vendure’s prices and the chosen one is bought there', async () => {
    const shop = await createVendureStore(h, platform, vendure, 'vnd-quoted', {
      products: [{ name: 'Camp lantern', priceCents: 3600 }],
    });
    // The stand-in is stale on purpose (Vendure charges 15.00 for express): the session shows Vendure's price.
    await setOptions(shop.slug, [{ id: 'express-shipping', name: 'Express', priceCents: 1900 }], 'retailer');
    const shopper = bearer('vnd-quoted-shopper');
    await h.http
      .post('/api/v1/cart/items')
      .set(shopper)
      .send({ storeSlug: shop.slug, sku: shop.skus[0], quantity: 2 })
      .expect(201);
    const created = (await h.http.post(sessionsUrl).set(shopper).expect(201)).body.data;
    expect(created.cartSnapshot.stores[0]).toMatchObject({
      shippingOptionsSource: 'store',
      shippingOptions: [{ id: 'express-shipping', priceCents: 1900 }],
    });

    const id = created.sessionId as string;
    const quoted = (await h.http.put(`${sessionsUrl}/${id}/shipping`).set(shopper).send(ADDRESS).expect(200)).body.data
      .cartSnapshot.stores[0];
    expect(quoted.shippingOptionsSource).toBe('retailer');
    expect(quoted.shippingOptions).toEqual([
      { id: 'standard-shipping', name: 'Standard Shipping', priceCents: 500, deliveryEstimate: null },
      { id: 'express-shipping', name: 'Express Shipping', priceCents: 1500, deliveryEstimate: null },
    ]);
    // Vendure's cheapest is chosen until the shopper chooses: the stand-in's express was not a choice they made.
    expect(quoted).toMatchObject({ shippingOption: { id: 'standard-shipping' }, shippingCents: 500 });

    await h.http.put(`${sessionsUrl}/${id}/payment`).set(shopper).send({ paymentMethodId: 'pm_card_visa' }).expect(200);
    const chosen = await h.http
      .put(`${sessionsUrl}/${id}/shipping-options`)
      .set(shopper)
      .send({ choices: [{ storeId: shop.storeId, optionId: 'express-shipping' }] })
      .expect(200);
    const store = chosen.body.data.cartSnapshot.stores[0];
    // 2 × 36.00 + 7.25 % tax (522) + Vendure's express 15.00.
    expect(store).toMatchObject({
      shippingOption: { id: 'express-shipping', name: 'Express Shipping' },
      shippingCents: 1500,
      totalCents: 7200 + 522 + 1500,
    });
    const order = (
      await h.http.post(`${sessionsUrl}/${id}/place`).set(shopper).set('Idempotency-Key', `place-${id}`).expect(201)
    ).body.data.orders[0];

    const placed = await h.waitForStatus(order.orderNumber, 'placed', 30_000);
    expect(placed).toMatchObject({ retailerTotalCents: store.totalCents, shippingOption: { id: 'express-shipping' } });
    const [atVendure, ...more] = await vendure.ordersByReference(order.orderNumber);
    expect(more).toEqual([]);
    expect(atVendure).toMatchObject({
      code: placed.storeOrderNumber,
      state: 'PaymentSettled',
      totalWithTax: store.totalCents,
    });
    expect(atVendure!.shippingLines).toEqual([{ shippingMethod: { code: 'express-shipping' }, priceWithTax: 1500 }]);
  }, 60_000);

  it('when Vendure cannot be reached while quoting, then the checkout goes on with the configured options', async () => {
    const shop = await createVendureStore(h, platform, vendure, 'vnd-quote-down');
    await setOptions(
      shop.slug,
      [{ id: 'standard-shipping', name: 'Standard', priceCents: 500, minDays: 3, maxDays: 7 }],
      'retailer',
    );
    await h.http
      .put(`/api/v1/admin/stores/${shop.slug}`)
      .set(admin)
      .send({ placementConfig: { ...shop.placementConfig, adminApiUrl: 'http://127.0.0.1:9/admin-api' } })
      .expect(200);
    const shopper = bearer('vnd-quote-down-shopper');
    await h.http
      .post('/api/v1/cart/items')
      .set(shopper)
      .send({ storeSlug: shop.slug, sku: shop.skus[0], quantity: 1 })
      .expect(201);
    const id = (await h.http.post(sessionsUrl).set(shopper).expect(201)).body.data.sessionId as string;
    const store = (await h.http.put(`${sessionsUrl}/${id}/shipping`).set(shopper).send(ADDRESS).expect(200)).body.data
      .cartSnapshot.stores[0];
    expect(store).toMatchObject({
      shippingOptionsSource: 'store',
      shippingOptions: [
        { id: 'standard-shipping', name: 'Standard', priceCents: 500, deliveryEstimate: { minDays: 3, maxDays: 7 } },
      ],
      shippingCents: 500,
    });
  }, 60_000);
});
