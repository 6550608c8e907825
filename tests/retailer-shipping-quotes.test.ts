import { admin, ADDRESS, startPlacementHarness, type PlacementHarness } from './support/placement-harness';
import { bearer } from './support/tokens';

/**
 * Shipping options quoted by the retailer itself (a store's `source: "retailer"`), against the retailer API
 * simulator through HTTP: the session lists what the retailer offers at its prices once the address is known, the
 * choice reaches the retailer unchanged, and a retailer that is down or slow leaves the configured options standing in.
 */
let h: PlacementHarness;
// What the retailer really offers (its ids are what placement hands back to it).
const RETAILER_METHODS = [
  { id: 'ups-next-day', name: 'UPS Next Day Air', priceCents: 2450, minDays: 1, maxDays: 1 },
  { id: 'ups-ground', name: 'UPS Ground', priceCents: 650, minDays: 3, maxDays: 5 },
];
// Our configured stand-in: the retailer's ground method at a price that has gone stale.
const STAND_IN = [{ id: 'ups-ground', name: 'Ground', priceCents: 700, minDays: 2, maxDays: 6 }];
let quoting: { storeId: string; slug: string };
let defaultOnly: { storeId: string; slug: string };

beforeAll(async () => {
  h = await startPlacementHarness();
  quoting = await h.createApiStore('quoteship', {
    shippingCents: 500,
    retailer: { shippingMethods: RETAILER_METHODS },
  });
  await h.http
    .put('/api/v1/admin/stores/quoteship/shipping-options')
    .set(admin)
    .send({ source: 'retailer', options: STAND_IN })
    .expect(200);
  // A retailer with one way of shipping, dearer than our flat rule says.
  defaultOnly = await h.createApiStore('flatquote', { shippingCents: 500, retailer: { shippingCents: 800 } });
  await h.http
    .put('/api/v1/admin/stores/flatquote/shipping-options')
    .set(admin)
    .send({ source: 'retailer', options: [] })
    .expect(200);
}, 60_000);
afterAll(() => h.close());

const sessionsUrl = '/api/v1/checkout/sessions';

async function openSession(userId: string, storeSlug: string, sku = 'MUG') {
  const shopper = bearer(userId);
  await h.http.post('/api/v1/cart/items').set(shopper).send({ storeSlug, sku, quantity: 1 }).expect(201);
  const created = (await h.http.post(sessionsUrl).set(shopper).expect(201)).body.data;
  return { id: created.sessionId as string, before: created.cartSnapshot.stores[0] };
}
const setAddress = async (userId: string, id: string, address: Record<string, unknown> = ADDRESS) =>
  (await h.http.put(`${sessionsUrl}/${id}/shipping`).set(bearer(userId)).send(address).expect(200)).body.data
    .cartSnapshot;
const optionsOf = (store: { shippingOptions: { id: string; priceCents: number }[] }) =>
  store.shippingOptions.map((option) => [option.id, option.priceCents]);

describe('shipping options quoted by the retailer', () => {
  it('lets admins say a store’s options come from its retailer', async () => {
    const read = await h.http.get('/api/v1/admin/stores/quoteship/shipping-options').set(admin).expect(200);
    expect(read.body.data).toMatchObject({
      storeSlug: 'quoteship',
      source: 'retailer',
      usesFlatRule: false,
      options: [expect.objectContaining({ id: 'ups-ground', priceCents: 700 })],
    });
    const bad = await h.http
      .put('/api/v1/admin/stores/quoteship/shipping-options')
      .set(admin)
      .send({ source: 'carrier-pigeon', options: [] });
    expect(bad.status).toBe(400);
    // People buying by hand cannot ask the retailer for a quote.
    await h.createManualStore('quotebyhand');
    const manual = await h.http
      .put('/api/v1/admin/stores/quotebyhand/shipping-options')
      .set(admin)
      .send({ source: 'retailer', options: STAND_IN })
      .expect(422);
    expect(manual.body.error).toMatchObject({ code: 'shipping_not_quotable', details: { placementMethod: 'manual' } });
    expect(
      (await h.http.get('/api/v1/admin/stores/quotebyhand/shipping-options').set(admin).expect(200)).body.data,
    ).toMatchObject({ source: 'store', options: [] });
  });

  it('when the address is given, then the session lists the retailer’s methods at its prices, and the chosen one is bought at the retailer', async () => {
    const { id, before } = await openSession('quote-ann', quoting.slug, 'LANTERN');
    // No address yet: nothing to quote for, the configured options stand in.
    expect(before).toMatchObject({
      shippingOptionsSource: 'store',
      shippingOption: { id: 'ups-ground', priceCents: 700 },
    });

    const quoted = (await setAddress('quote-ann', id)).stores[0];
    expect(quoted.shippingOptionsSource).toBe('retailer');
    expect(quoted.shippingOptions).toEqual([
      { id: 'ups-ground', name: 'UPS Ground', priceCents: 650, deliveryEstimate: { minDays: 3, maxDays: 5 } },
      { id: 'ups-next-day', name: 'UPS Next Day Air', priceCents: 2450, deliveryEstimate: { minDays: 1, maxDays: 1 } },
    ]);
    expect(quoted).toMatchObject({ shippingOption: { id: 'ups-ground' }, shippingCents: 650 });

    await h.http
      .put(`${sessionsUrl}/${id}/payment`)
      .set(bearer('quote-ann'))
      .send({ paymentMethodId: 'pm_card_visa' })
      .expect(200);
    const chosen = await h.http
      .put(`${sessionsUrl}/${id}/shipping-options`)
      .set(bearer('quote-ann'))
      .send({ choices: [{ storeId: quoting.storeId, optionId: 'ups-next-day' }] })
      .expect(200);
    const store = chosen.body.data.cartSnapshot.stores[0];
    // LANTERN 29.99 + CA 7.25 % (217) + the retailer's next-day price.
    expect(store).toMatchObject({
      shippingOption: { id: 'ups-next-day', name: 'UPS Next Day Air' },
      shippingCents: 2450,
      totalCents: 2999 + 217 + 2450,
    });

    const placed = (
      await h.http
        .post(`${sessionsUrl}/${id}/place`)
        .set(bearer('quote-ann'))
        .set('Idempotency-Key', `place-${id}`)
        .expect(201)
    ).body.data;
    expect(placed.chargedCents).toBe(store.totalCents);
    const order = await h.waitForStatus(placed.orders[0].orderNumber, 'placed');
    expect(order).toMatchObject({ retailerTotalCents: store.totalCents, shippingOption: { id: 'ups-next-day' } });
    const [atRetailer, ...more] = h.simulator
      .orders(quoting.slug)
      .filter((o) => o.externalReference === order.orderNumber);
    expect(more).toEqual([]);
    expect(atRetailer).toMatchObject({
      shippingMethod: 'ups-next-day',
      shippingCents: 2450,
      totalCents: store.totalCents,
    });
  });

  it('when the retailer has no methods of its own, then its default shipping is listed at its price and placement asks for no method', async () => {
    const { id, before } = await openSession('quote-bob', defaultOnly.slug);
    expect(optionsOf(before)).toEqual([['standard', 500]]);
    const quoted = (await setAddress('quote-bob', id)).stores[0];
    expect(quoted).toMatchObject({
      shippingOptionsSource: 'retailer',
      shippingOptions: [{ id: 'standard', name: 'Standard shipping', priceCents: 800, deliveryEstimate: null }],
      shippingCents: 800,
    });

    await h.http
      .put(`${sessionsUrl}/${id}/payment`)
      .set(bearer('quote-bob'))
      .send({ paymentMethodId: 'pm_card_visa' })
      .expect(200);
    const placed = (
      await h.http
        .post(`${sessionsUrl}/${id}/place`)
        .set(bearer('quote-bob'))
        .set('Idempotency-Key', `place-${id}`)
        .expect(201)
    ).body.data;
    const order = await h.waitForStatus(placed.orders[0].orderNumber, 'placed');
    const [atRetailer] = h.simulator.orders(defaultOnly.slug).filter((o) => o.externalReference === order.orderNumber);
    expect(atRetailer).toMatchObject({ shippingCents: 800, totalCents: order.retailerTotalCents });
    expect(atRetailer!.shippingMethod).toBeUndefined();
  });

  it('when the retailer is down while quoting, then the checkout goes on with the configured options, and the next address asks it again', async () => {
    const { id } = await openSession('quote-cat', quoting.slug);
    h.simulator.injectFaults(quoting.slug, { kind: 'status_503', scope: 'quote', count: 1 });
    const down = (await setAddress('quote-cat', id)).stores[0];
    expect(down).toMatchObject({
      shippingOptionsSource: 'store',
      shippingOption: { id: 'ups-ground', name: 'Ground', priceCents: 700 },
      shippingCents: 700,
    });
    expect(optionsOf(down)).toEqual([['ups-ground', 700]]);

    const back = (await setAddress('quote-cat', id, { ...ADDRESS, address1: '2 Market St' })).stores[0];
    expect(back).toMatchObject({
      shippingOptionsSource: 'retailer',
      shippingOption: { id: 'ups-ground', priceCents: 650 },
    });
    expect(optionsOf(back)).toEqual([
      ['ups-ground', 650],
      ['ups-next-day', 2450],
    ]);

    // A choice the shopper made survives the next quote while the retailer still offers it.
    await h.http
      .put(`${sessionsUrl}/${id}/shipping-options`)
      .set(bearer('quote-cat'))
      .send({ choices: [{ storeId: quoting.storeId, optionId: 'ups-next-day' }] })
      .expect(200);
    const again = (await setAddress('quote-cat', id, { ...ADDRESS, address1: '3 Market St' })).stores[0];
    expect(again).toMatchObject({
      shippingOptionsSource: 'retailer',
      shippingOption: { id: 'ups-next-day' },
      shippingCents: 2450,
      shippingOptionChosen: true,
    });
  });

  it('when the retailer refuses the address or is too slow to quote, then the configured options stand in', async () => {
    const { id } = await openSession('quote-dan', quoting.slug);
    h.simulator.injectFaults(quoting.slug, { kind: 'reject', code: 'address_rejected', scope: 'quote', count: 1 });
    expect((await setAddress('quote-dan', id)).stores[0]).toMatchObject({
      shippingOptionsSource: 'store',
      shippingCents: 700,
    });

    // The store's own timeout is below the checkout's bound: a quote that never comes is given up after it.
    const store = await h.database.db('stores').where({ slug: quoting.slug }).first();
    await h.http
      .put(`/api/v1/admin/stores/${quoting.slug}`)
      .set(admin)
      .send({ placementConfig: { ...store.placement_config, timeoutMs: 300 } })
      .expect(200);
    try {
      h.simulator.injectFaults(quoting.slug, { kind: 'timeout', scope: 'quote', count: 1 });
      expect((await setAddress('quote-dan', id)).stores[0]).toMatchObject({
        shippingOptionsSource: 'store',
        shippingCents: 700,
      });
    } finally {
      await h.http
        .put(`/api/v1/admin/stores/${quoting.slug}`)
        .set(admin)
        .send({ placementConfig: store.placement_config })
        .expect(200);
    }
  });
});
