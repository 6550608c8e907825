import {
  admin,
  ADDRESS,
  ops,
  startPlacementHarness,
  waitFor,
  type PlacementHarness,
} from './support/placement-harness';
import { bearer } from './support/tokens';

let h: PlacementHarness;
const OPTIONS = [
  { id: 'overnight', name: 'Overnight', priceCents: 2900, minDays: 1, maxDays: 1 },
  { id: 'ground', name: 'Ground', priceCents: 500, minDays: 3, maxDays: 7 },
  { id: 'express', name: 'Express', priceCents: 1500, minDays: 1, maxDays: 2 },
];
let fast: { storeId: string; name: string };
let plain: { storeId: string; name: string };
let byHand: { storeId: string; name: string };

beforeAll(async () => {
  h = await startPlacementHarness();
  // The retailer charges for each method exactly what the store's options say: the price guard holds.
  fast = await h.createApiStore('fastship', {
    shippingCents: 500,
    retailer: { shippingMethods: OPTIONS.map(({ id, name, priceCents }) => ({ id, name, priceCents })) },
  });
  plain = await h.createApiStore('plainship');
  byHand = await h.createManualStore('byhand');
  await h.http.put('/api/v1/admin/stores/fastship/shipping-options').set(admin).send({ options: OPTIONS }).expect(200);
  await h.http.put('/api/v1/admin/stores/byhand/shipping-options').set(admin).send({ options: OPTIONS }).expect(200);
  await h.http
    .post('/api/v1/admin/promotions')
    .set(admin)
    .send({ code: 'SAVE10', kind: 'fixed_amount', amountCents: 1000 })
    .expect(201);
}, 60_000);
afterAll(() => h.close());

const sessionsUrl = '/api/v1/checkout/sessions';

async function openSession(userId: string, lines: [string, string, number][], code?: string) {
  const shopper = bearer(userId);
  for (const [storeSlug, sku, quantity] of lines)
    await h.http.post('/api/v1/cart/items').set(shopper).send({ storeSlug, sku, quantity }).expect(201);
  if (code) await h.http.post('/api/v1/cart/promo').set(shopper).send({ code }).expect(200);
  const created = await h.http.post(sessionsUrl).set(shopper).expect(201);
  const id = created.body.data.sessionId as string;
  await h.http.put(`${sessionsUrl}/${id}/shipping`).set(shopper).send(ADDRESS).expect(200);
  await h.http.put(`${sessionsUrl}/${id}/payment`).set(shopper).send({ paymentMethodId: 'pm_card_visa' }).expect(200);
  return id;
}
const choose = (userId: string, id: string, choices: { storeId: string; optionId: string }[]) =>
  h.http.put(`${sessionsUrl}/${id}/shipping-options`).set(bearer(userId)).send({ choices });
const place = async (userId: string, id: string) =>
  (
    await h.http
      .post(`${sessionsUrl}/${id}/place`)
      .set(bearer(userId))
      .set('Idempotency-Key', `place-${id}`)
      .expect(201)
  ).body.data;

describe('shipping choices', () => {
  it('lets admins set a store’s options, refusing duplicates and unknown stores', async () => {
    const read = await h.http.get('/api/v1/admin/stores/fastship/shipping-options').set(admin).expect(200);
    expect(read.body.data).toMatchObject({ storeSlug: 'fastship', usesFlatRule: false, source: 'store' });
    expect(read.body.data.options).toEqual(OPTIONS.map((option) => ({ ...option, freeAboveCents: null })));
    const plainOptions = await h.http.get('/api/v1/admin/stores/plainship/shipping-options').set(admin).expect(200);
    expect(plainOptions.body.data).toEqual({
      storeSlug: 'plainship',
      options: [],
      usesFlatRule: true,
      source: 'store',
    });
    const twice = await h.http
      .put('/api/v1/admin/stores/plainship/shipping-options')
      .set(admin)
      .send({ options: [OPTIONS[0], OPTIONS[0]] });
    expect(twice.status).toBe(400);
    expect(
      (await h.http.put('/api/v1/admin/stores/nope/shipping-options').set(admin).send({ options: [] })).body.error.code,
    ).toBe('store_not_found');
    expect((await h.http.get('/api/v1/admin/stores/fastship/shipping-options').set(ops)).status).toBe(403);
  });

  it('lists each store’s options cheapest first, picks the cheapest, and re-prices a choice; an unknown one is 422', async () => {
    const id = await openSession('ann', [
      ['fastship', 'MUG', 1],
      ['plainship', 'MUG', 1],
    ]);
    const session = (await h.http.get(`${sessionsUrl}/${id}`).set(bearer('ann')).expect(200)).body.data;
    const [fastStore, plainStore] = session.cartSnapshot.stores;
    expect(fastStore.shippingOptions.map((o: any) => [o.id, o.priceCents])).toEqual([
      ['ground', 500],
      ['express', 1500],
      ['overnight', 2900],
    ]);
    expect(fastStore).toMatchObject({
      shippingOption: { id: 'ground', deliveryEstimate: { minDays: 3, maxDays: 7 } },
      shippingCents: 500,
    });
    expect(plainStore.shippingOptions).toEqual([
      { id: 'standard', name: 'Standard shipping', priceCents: 0, deliveryEstimate: null },
    ]);

    const chosen = (await choose('ann', id, [{ storeId: fast.storeId, optionId: 'overnight' }]).expect(200)).body.data
      .cartSnapshot;
    expect(chosen.stores[0]).toMatchObject({ shippingOption: { id: 'overnight' }, shippingCents: 2900 });
    expect(chosen.summary.totalCents).toBe(session.cartSnapshot.summary.totalCents + 2400);

    const unknown = await choose('ann', id, [{ storeId: plain.storeId, optionId: 'express' }]).expect(422);
    expect(unknown.body.error).toMatchObject({
      code: 'shipping_option_unknown',
      details: { unknown: [{ storeId: plain.storeId, optionId: 'express' }] },
    });
    expect((await choose('bob', id, [{ storeId: fast.storeId, optionId: 'ground' }])).status).toBe(404);
  });

  it('sends the chosen method to the retailer, which is paid full price while the shopper pays less', async () => {
    const id = await openSession('cat', [['fastship', 'LANTERN', 1]], 'SAVE10');
    const snapshot = (await choose('cat', id, [{ storeId: fast.storeId, optionId: 'express' }]).expect(200)).body.data
      .cartSnapshot;
    const store = snapshot.stores[0];
    // CA 7.25 %: on the full 2999 = 217.43 → 217 (the retailer's), on 2999 − 1000 = 144.93 → 145 (ours)
    expect(store).toMatchObject({
      subtotalCents: 2999,
      shippingCents: 1500,
      discountCents: 1000,
      taxCents: 145,
      totalCents: 2999 + 1500 + 145 - 1000,
    });
    expect(store.fullPriceTotalCents).toBe(2999 + 1500 + 217);

    const placed = await place('cat', id);
    expect(placed.chargedCents).toBe(store.totalCents);
    const order = await h.waitForStatus(placed.orders[0].orderNumber, 'placed');
    expect(order).toMatchObject({
      retailerTotalCents: store.fullPriceTotalCents,
      fullPriceTotalCents: store.fullPriceTotalCents,
      discountCents: 1000,
      promotionCode: 'SAVE10',
      shippingOption: { id: 'express', name: 'Express' },
    });
    const [atRetailer] = h.simulator.orders('fastship').filter((o) => o.externalReference === order.orderNumber);
    expect(atRetailer).toMatchObject({
      shippingMethod: 'express',
      shippingCents: 1500,
      totalCents: store.fullPriceTotalCents,
    });
    expect(atRetailer.items).toEqual([expect.objectContaining({ sku: 'LANTERN', unitPriceCents: 2999 })]);
  });

  it('leaves the retailer its default shipping for a store without options of its own', async () => {
    const placed = await place('eve', await openSession('eve', [['plainship', 'MUG', 1]]));
    const order = await h.waitForStatus(placed.orders[0].orderNumber, 'placed');
    expect(order.shippingOption).toMatchObject({ id: 'standard' });
    const [atRetailer] = h.simulator.orders('plainship').filter((o) => o.externalReference === order.orderNumber);
    expect(atRetailer).toBeDefined();
    expect(atRetailer.shippingMethod).toBeUndefined();
    const reserved = await h.http
      .put('/api/v1/admin/stores/plainship/shipping-options')
      .set(admin)
      .send({ options: [{ id: 'standard', name: 'Mine', priceCents: 1 }] });
    expect(reserved.body.error.details.fields['options.0.id']).toContain('flat rule');
  });

  it('tells the person buying a manual order which shipping the shopper chose', async () => {
    const id = await openSession('dan', [['byhand', 'MUG', 1]]);
    await choose('dan', id, [{ storeId: byHand.storeId, optionId: 'overnight' }]).expect(200);
    const placed = await place('dan', id);
    const task = await waitFor(() => h.liveTaskOf(placed.orders[0].orderNumber), 10_000, 'manual task');
    expect(task.payload.shippingMethod).toMatchObject({ id: 'overnight', name: 'Overnight', priceCents: 2900 });
    expect(task.payload.instructions).toContain(
      'by OVERNIGHT shipping (the shopper chose "Overnight", 1–1 days; choose the same there)',
    );
  });
});
