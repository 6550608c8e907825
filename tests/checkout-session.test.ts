import { ADDRESS, startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';
import { bearer } from './support/tokens';

let h: CheckoutHarness;
beforeAll(async () => {
  h = await startCheckoutHarness();
  await h.seedCatalog();
});
afterAll(() => h.close());

const shopper = (id: string) => bearer(id);

describe('cart', () => {
  it('holds items from several stores with catalog prices, and merges the same item and variant', async () => {
    await h.addToCart('cart-1', 'acme', 'TENT-2P', 1, { size: 'L', color: 'green' });
    await h.addToCart('cart-1', 'acme', 'TENT-2P', 2, { size: 'L', color: 'green' });
    await h.addToCart('cart-1', 'globex', 'LAMP', 1);
    const { body } = await h.http.get('/api/v1/cart').set(shopper('cart-1')).expect(200);
    expect(body.data.items).toEqual([
      expect.objectContaining({
        storeName: 'Acme Outdoors',
        sku: 'TENT-2P',
        size: 'L',
        color: 'green',
        quantity: 3,
        unitPriceCents: 12999,
        totalPriceCents: 38997,
      }),
      expect.objectContaining({
        storeName: 'Globex Home',
        sku: 'LAMP',
        size: null,
        color: null,
        quantity: 1,
        totalPriceCents: 3499,
      }),
    ]);
    expect(body.data.summary).toEqual({ itemCount: 4, subtotalCents: 42496 });
  });

  it('refuses unknown and unavailable products and quantities outside 1–99', async () => {
    const res404 = await h.http
      .post('/api/v1/cart/items')
      .set(shopper('cart-2'))
      .send({ storeSlug: 'acme', sku: 'NOPE', quantity: 1 });
    expect(res404.status).toBe(404);
    expect(res404.body.error.code).toBe('product_not_found');
    const res409 = await h.http
      .post('/api/v1/cart/items')
      .set(shopper('cart-2'))
      .send({ storeSlug: 'globex', sku: 'OLD', quantity: 1 });
    expect(res409.status).toBe(409);
    expect(res409.body.error.code).toBe('product_unavailable');
    for (const quantity of [0, 100, 1.5, '2']) {
      const res = await h.http
        .post('/api/v1/cart/items')
        .set(shopper('cart-2'))
        .send({ storeSlug: 'acme', sku: 'MUG', quantity });
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields.quantity).toBeDefined();
    }
  });

  it('holds at most 99 of one item and variant, refusing an add that would go past it', async () => {
    await h.addToCart('cart-99', 'acme', 'MUG', 60);
    const over = await h.http
      .post('/api/v1/cart/items')
      .set(shopper('cart-99'))
      .send({ storeSlug: 'acme', sku: 'MUG', quantity: 40 });
    expect(over.status).toBe(400);
    expect(over.body.error.details.fields.quantity).toMatch(/99/);
    await h.addToCart('cart-99', 'acme', 'MUG', 39);
    await h.addToCart('cart-99', 'acme', 'MUG', 5, { color: 'red' }); // another variant is another line
    const { body } = await h.http.get('/api/v1/cart').set(shopper('cart-99')).expect(200);
    expect(body.data.items.map((i: { quantity: number; color: string | null }) => [i.quantity, i.color])).toEqual([
      [99, null],
      [5, 'red'],
    ]);
  });

  it('changes quantities, removes items and empties the cart, only for its owner', async () => {
    await h.addToCart('cart-3', 'acme', 'MUG', 1);
    const { body } = await h.http.get('/api/v1/cart').set(shopper('cart-3'));
    const itemId = body.data.items[0].id;
    await h.http.patch(`/api/v1/cart/items/${itemId}`).set(shopper('someone-else')).send({ quantity: 5 }).expect(404);
    const patched = await h.http
      .patch(`/api/v1/cart/items/${itemId}`)
      .set(shopper('cart-3'))
      .send({ quantity: 5 })
      .expect(200);
    expect(patched.body.data.summary).toEqual({ itemCount: 5, subtotalCents: 6250 });
    const removed = await h.http.delete(`/api/v1/cart/items/${itemId}`).set(shopper('cart-3')).expect(200);
    expect(removed.body.data.items).toEqual([]);
    await h.addToCart('cart-3', 'acme', 'MUG', 1);
    const cleared = await h.http.delete('/api/v1/cart').set(shopper('cart-3')).expect(200);
    expect(cleared.body.data.summary).toEqual({ itemCount: 0, subtotalCents: 0 });
  });
});

describe('checkout session', () => {
  it('freezes a multi-store snapshot with per-store shipping, then fills tax and totals from the address', async () => {
    await h.addToCart('snap-1', 'acme', 'MUG', 2); // 2500, below acme's free-shipping threshold → 599
    await h.addToCart('snap-1', 'globex', 'LAMP', 3); // 10497, globex ships free
    const created = await h.http.post('/api/v1/checkout/sessions').set(shopper('snap-1')).expect(201);
    const session = created.body.data;
    expect(session.sessionId).toMatch(/^cs_/);
    expect(session.status).toBe('pending');
    expect(new Date(session.expiresAt).getTime() - Date.now()).toBeGreaterThan(29 * 60_000);
    expect(session.cartSnapshot.stores).toEqual([
      expect.objectContaining({
        storeName: 'Acme Outdoors',
        placementMethod: 'api',
        subtotalCents: 2500,
        shippingCents: 599,
        taxCents: 0,
        totalCents: 3099,
      }),
      expect.objectContaining({
        storeName: 'Globex Home',
        subtotalCents: 10497,
        shippingCents: 0,
        taxCents: 0,
        totalCents: 10497,
      }),
    ]);
    expect(session.cartSnapshot.summary).toEqual({
      itemCount: 5,
      subtotalCents: 12997,
      shippingCents: 599,
      discountCents: 0,
      taxCents: 0,
      totalCents: 13596,
    });

    const shipped = await h.http
      .put(`/api/v1/checkout/sessions/${session.sessionId}/shipping`)
      .set(shopper('snap-1'))
      .send({ ...ADDRESS, state: 'NY' })
      .expect(200);
    const stores = shipped.body.data.cartSnapshot.stores;
    expect(stores.map((s: { taxCents: number }) => s.taxCents)).toEqual([200, 840]); // 8% of 2500 and of 10497 (839.76 → 840)
    expect(stores[0].totalCents).toBe(2500 + 599 + 200);
    expect(shipped.body.data.cartSnapshot.summary).toMatchObject({ taxCents: 1040, totalCents: 13596 + 1040 });
    expect(shipped.body.data.shippingAddress).toMatchObject({ state: 'NY', zip: '94105' });
  });

  it('keeps the snapshot unchanged when the catalog price and the cart change afterwards', async () => {
    await h.addToCart('snap-2', 'acme', 'TENT-2P', 1);
    const created = await h.http.post('/api/v1/checkout/sessions').set(shopper('snap-2')).expect(201);
    const before = created.body.data.cartSnapshot;
    await h.http
      .put('/api/v1/admin/products')
      .set(bearer('admin-1', 'admin'))
      .send({ storeSlug: 'acme', sku: 'TENT-2P', name: 'Two-person tent', priceCents: 99999 })
      .expect(200);
    await h.addToCart('snap-2', 'acme', 'MUG', 4);
    const after = await h.http
      .get(`/api/v1/checkout/sessions/${created.body.data.sessionId}`)
      .set(shopper('snap-2'))
      .expect(200);
    expect(after.body.data.cartSnapshot).toEqual(before);
    expect(after.body.data.cartSnapshot.stores[0].items[0].unitPriceCents).toBe(12999);
    await h.http
      .put('/api/v1/admin/products')
      .set(bearer('admin-1', 'admin'))
      .send({ storeSlug: 'acme', sku: 'TENT-2P', name: 'Two-person tent', priceCents: 12999 })
      .expect(200);
  });

  it('refuses an empty cart', async () => {
    const res = await h.http.post('/api/v1/checkout/sessions').set(shopper('empty-1'));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('cart_empty');
  });

  it('expires after 30 minutes: it reads as expired and can no longer be changed or placed', async () => {
    const sessionId = await h.sessionReadyToPlace('expire-1');
    h.clock.advance(31 * 60_000);
    try {
      const got = await h.http.get(`/api/v1/checkout/sessions/${sessionId}`).set(shopper('expire-1')).expect(200);
      expect(got.body.data.status).toBe('expired');
      const place = await h.http
        .post(`/api/v1/checkout/sessions/${sessionId}/place`)
        .set(shopper('expire-1'))
        .set('Idempotency-Key', 'exp-1');
      expect(place.status).toBe(410);
      expect(place.body.error.code).toBe('session_expired');
      const shipping = await h.http
        .put(`/api/v1/checkout/sessions/${sessionId}/shipping`)
        .set(shopper('expire-1'))
        .send(ADDRESS);
      expect(shipping.status).toBe(410);
      expect(h.stripe.stats().paymentIntentsCreated).toBe(0);
    } finally {
      h.clock.advance(-31 * 60_000);
    }
  });

  it('names every bad address field', async () => {
    await h.addToCart('addr-1', 'acme', 'MUG', 1);
    const { body } = await h.http.post('/api/v1/checkout/sessions').set(shopper('addr-1'));
    const res = await h.http
      .put(`/api/v1/checkout/sessions/${body.data.sessionId}/shipping`)
      .set(shopper('addr-1'))
      .send({ name: '', address1: '1 Main', city: 'X', state: 'ZZ', zip: '1234', country: 'FR', phone: '12' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(Object.keys(res.body.error.details.fields).sort()).toEqual(['country', 'name', 'phone', 'state', 'zip']);
    const ok = await h.http
      .put(`/api/v1/checkout/sessions/${body.data.sessionId}/shipping`)
      .set(shopper('addr-1'))
      .send({ ...ADDRESS, state: 'wa', zip: '98101-1234', phone: '(206) 555-0100' });
    expect(ok.status).toBe(200);
    expect(ok.body.data.shippingAddress).toMatchObject({ state: 'WA', zip: '98101-1234', phone: '2065550100' });
  });

  it('cancels an unplaced session, which then cannot be placed', async () => {
    const sessionId = await h.sessionReadyToPlace('cancel-1');
    const cancelled = await h.http
      .delete(`/api/v1/checkout/sessions/${sessionId}`)
      .set(shopper('cancel-1'))
      .expect(200);
    expect(cancelled.body.data.status).toBe('cancelled');
    const place = await h.http
      .post(`/api/v1/checkout/sessions/${sessionId}/place`)
      .set(shopper('cancel-1'))
      .set('Idempotency-Key', 'c-1');
    expect(place.status).toBe(409);
  });

  it("hides another shopper's session as not found", async () => {
    const sessionId = await h.sessionReadyToPlace('owner-1');
    for (const request of [
      h.http.get(`/api/v1/checkout/sessions/${sessionId}`),
      h.http.put(`/api/v1/checkout/sessions/${sessionId}/payment`).send({ paymentMethodId: 'pm_card_visa' }),
      h.http.post(`/api/v1/checkout/sessions/${sessionId}/place`).set('Idempotency-Key', 'steal-1'),
    ]) {
      const res = await request.set(shopper('intruder-1'));
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });
});
