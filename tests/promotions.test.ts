import { startCheckoutHarness, ADDRESS, type CheckoutHarness } from './support/checkout-harness';
import { ledgerFor, markPlacedAtRetailer } from './support/order-fixtures';
import { bearer } from './support/tokens';
import { documentedResponseSchemas } from '../src/http/openapi';

let h: CheckoutHarness;
const admin = bearer('admin-1', 'admin');

beforeAll(async () => {
  h = await startCheckoutHarness();
  await h.seedCatalog();
  await h.http
    .post('/api/v1/admin/stores')
    .set(admin)
    .send({
      slug: 'initech',
      name: 'Initech Supply',
      placementMethod: 'api',
      placementConfig: { baseUrl: 'http://127.0.0.1:9/retailers/initech', apiKey: 'k' },
    })
    .expect(201);
  await h.http
    .put('/api/v1/admin/products')
    .set(admin)
    .send({ storeSlug: 'initech', sku: 'STAPLER', name: 'Red stapler', priceCents: 2001 })
    .expect(201);
  const codes = [
    { code: 'SAVE10', kind: 'fixed_amount', amountCents: 1000 },
    { code: 'SAVE20', kind: 'percent', percentOff: 20 },
    { code: 'FREESHIP', kind: 'free_shipping' },
    { code: 'WELCOME15', kind: 'percent', percentOff: 15, firstOrderOnly: true },
    { code: 'BIG50', kind: 'fixed_amount', amountCents: 5000, minSubtotalCents: 5000 },
    { code: 'HUGE', kind: 'fixed_amount', amountCents: 1_000_000 },
    { code: 'GONE', kind: 'fixed_amount', amountCents: 100, endsAt: '2020-01-01T00:00:00Z' },
    { code: 'SOON', kind: 'fixed_amount', amountCents: 100, startsAt: '2999-01-01T00:00:00Z' },
  ];
  for (const code of codes) await h.http.post('/api/v1/admin/promotions').set(admin).send(code).expect(201);
});
afterAll(() => h.close());

const sessionsUrl = '/api/v1/checkout/sessions';
const applyCode = (userId: string, code: string) =>
  h.http.post('/api/v1/cart/promo').set(bearer(userId)).send({ code });

/** Fills the cart, applies the code, opens a session with an address (tax) and a card. */
async function readySession(
  userId: string,
  lines: [string, string, number][],
  code: string | null,
  paymentMethodId = 'pm_card_visa',
) {
  for (const [store, sku, quantity] of lines) await h.addToCart(userId, store, sku, quantity);
  if (code) await applyCode(userId, code).expect(200);
  const created = await h.http.post(sessionsUrl).set(bearer(userId)).expect(201);
  const id = created.body.data.sessionId as string;
  await h.http.put(`${sessionsUrl}/${id}/shipping`).set(bearer(userId)).send(ADDRESS).expect(200);
  const paid = await h.http
    .put(`${sessionsUrl}/${id}/payment`)
    .set(bearer(userId))
    .send({ paymentMethodId })
    .expect(200);
  return { id, session: paid.body.data };
}
const place = (userId: string, sessionId: string, key = `${sessionId}-place`) =>
  h.http.post(`${sessionsUrl}/${sessionId}/place`).set(bearer(userId)).set('Idempotency-Key', key);
const promotion = async (code: string) =>
  (await h.http.get(`/api/v1/admin/promotions/${code}`).set(admin).expect(200)).body.data;

describe('promo codes', () => {
  it('lets admins manage codes: create, list, read, change conditions; a taken code is 409, a bad one 400, a shopper 403', async () => {
    const taken = await h.http
      .post('/api/v1/admin/promotions')
      .set(admin)
      .send({ code: 'save10', kind: 'fixed_amount', amountCents: 5 });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('promotion_exists');
    const bad = await h.http
      .post('/api/v1/admin/promotions')
      .set(admin)
      .send({ code: 'X!', kind: 'percent', amountCents: 5 });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.details.fields)).toEqual(
      expect.arrayContaining(['code', 'amountCents', 'percentOff']),
    );
    expect(
      (await h.http.post('/api/v1/admin/promotions').set(bearer('eve')).send({ code: 'MINE', kind: 'free_shipping' }))
        .status,
    ).toBe(403);

    const list = await h.http.get('/api/v1/admin/promotions?limit=3').set(admin).expect(200);
    expect(list.body.meta).toEqual({ totalPromotions: 8, limit: 3, offset: 0 });
    const changed = await h.http
      .put('/api/v1/admin/promotions/save20')
      .set(admin)
      .send({ description: '20 % off', perCustomerLimit: 5 })
      .expect(200);
    expect(changed.body.data).toMatchObject({
      code: 'SAVE20',
      kind: 'percent',
      percentOff: 20,
      perCustomerLimit: 5,
      description: '20 % off',
      uses: 0,
    });
    expect((await h.http.get('/api/v1/admin/promotions/NOPE').set(admin)).body.error.code).toBe('promotion_not_found');
  });

  it('refuses a bad, expired, not-yet-valid or not-eligible code with its own 422 code, and shows the applied one on the cart', async () => {
    await h.addToCart('pat', 'acme', 'MUG', 1);
    const refusals = await Promise.all(['NOPE', 'GONE', 'SOON', 'BIG50'].map((code) => applyCode('pat', code)));
    expect(refusals.map((res) => [res.status, res.body.error.code])).toEqual([
      [422, 'promo_code_invalid'],
      [422, 'promo_code_expired'],
      [422, 'promo_code_not_started'],
      [422, 'promo_code_not_eligible'],
    ]);
    expect(refusals[3].body.error.details).toMatchObject({
      reason: 'min_subtotal',
      minSubtotalCents: 5000,
      subtotalCents: 1250,
    });

    const applied = await applyCode('pat', ' save10 ').expect(200);
    expect(applied.body.data.promotion).toMatchObject({ code: 'SAVE10', kind: 'fixed_amount', amountCents: 1000 });
    expect((await h.http.get('/api/v1/cart').set(bearer('pat')).expect(200)).body.data.promotion.code).toBe('SAVE10');
    const removed = await h.http.delete('/api/v1/cart/promo').set(bearer('pat')).expect(200);
    expect(removed.body.data.promotion).toBeNull();
  });

  it('spreads $10 over three stores to the cent, taxes each discounted subtotal, and records the discount as ours', async () => {
    const { id, session } = await readySession(
      'quinn',
      [
        ['acme', 'MUG', 1],
        ['globex', 'LAMP', 1],
        ['initech', 'STAPLER', 1],
      ],
      'SAVE10',
    );
    const stores = session.cartSnapshot.stores;
    // 1000 × 1250/6750 = 185.19, × 3499/6750 = 518.37, × 2001/6750 = 296.44: the leftover cent goes to Initech (.44)
    expect(stores.map((s: any) => [s.storeSlug, s.subtotalCents, s.discountCents])).toEqual([
      ['acme', 1250, 185],
      ['globex', 3499, 518],
      ['initech', 2001, 297],
    ]);
    // CA 7.25 % of 1065 = 77.21, of 2981 = 216.12, of 1704 = 123.54
    expect(stores.map((s: any) => s.taxCents)).toEqual([77, 216, 124]);
    expect(stores[0]).toMatchObject({
      shippingCents: 599,
      totalCents: 1250 + 599 + 77 - 185,
      fullPriceTotalCents: 1250 + 599 + 91,
    });
    expect(session.cartSnapshot.summary).toMatchObject({ subtotalCents: 6750, discountCents: 1000, taxCents: 417 });
    expect(session.cartSnapshot.promotion).toMatchObject({ code: 'SAVE10', kind: 'fixed_amount', amountCents: 1000 });

    const placed = await place('quinn', id).expect(201);
    expect(placed.body.data.chargedCents).toBe(session.cartSnapshot.summary.totalCents);
    const orders = await h.database.db('orders').where({ checkout_session_id: id }).orderBy('subtotal_cents');
    expect(orders.map((o) => [o.subtotal_cents, o.discount_cents, o.promotion_code])).toEqual([
      [1250, 185, 'SAVE10'],
      [2001, 297, 'SAVE10'],
      [3499, 518, 'SAVE10'],
    ]);
    const ledger = await ledgerFor(h, id);
    const charge = ledger.find((row) => row.type === 'charge')!;
    const discounts = ledger.filter((row) => row.type === 'discount');
    expect(charge.amount_cents).toBe(orders.reduce((sum, o) => sum + o.total_cents, 0));
    expect(discounts.map((row) => row.amount_cents).sort((a, b) => a - b)).toEqual([185, 297, 518]);
    // What the retailers are owed at full price = what the shopper paid + what we gave.
    const fullPrice = orders.reduce((sum, o) => sum + o.full_price_total_cents, 0);
    expect(fullPrice - charge.amount_cents).toBe(1000 + (91 + 254 + 145) - 417);
    expect(await promotion('SAVE10')).toMatchObject({ uses: 1, redeemed: 1 });
    // The code was spent with the lines it bought: it leaves the cart too.
    expect((await h.http.get('/api/v1/cart').set(bearer('quinn')).expect(200)).body.data.promotion).toBeNull();
  });

  it('cuts a code larger than the cart to the cart: the items are free, shipping is still paid', async () => {
    const { session } = await readySession(
      'rita',
      [
        ['acme', 'MUG', 1],
        ['globex', 'LAMP', 1],
      ],
      'HUGE',
    );
    expect(session.cartSnapshot.stores.map((s: any) => [s.discountCents, s.taxCents, s.totalCents])).toEqual([
      [1250, 0, 599],
      [3499, 0, 0],
    ]);
  });

  it('waives shipping only where a store charges it, with free shipping across mixed stores', async () => {
    const { session } = await readySession(
      'sam',
      [
        ['acme', 'MUG', 2],
        ['globex', 'LAMP', 1],
      ],
      'FREESHIP',
    );
    expect(
      session.cartSnapshot.stores.map((s: any) => [
        s.storeSlug,
        s.shippingCents,
        s.shippingDiscountCents,
        s.discountCents,
      ]),
    ).toEqual([
      ['acme', 599, 599, 599],
      ['globex', 0, 0, 0],
    ]);
    // Tax is on the items, untouched by free shipping: CA 7.25 % of 2500 = 181.25
    expect(session.cartSnapshot.stores[0]).toMatchObject({ taxCents: 181, totalCents: 2500 + 181 });
  });

  it('refunds one item of a discounted order at what the shopper paid for it, and the whole order at its total', async () => {
    const { id, session } = await readySession(
      'tess',
      [
        ['acme', 'MUG', 2],
        ['globex', 'LAMP', 1],
      ],
      'SAVE20',
    );
    const acme = session.cartSnapshot.stores[0];
    // 20 % of 5999 = 1199.8 → 1200; acme's share 1200 × 2500/5999 = 500.08 → 500; tax CA on 2000 = 145
    expect(acme).toMatchObject({
      subtotalCents: 2500,
      discountCents: 500,
      taxCents: 145,
      totalCents: 2500 + 599 + 145 - 500,
    });
    const placed = await place('tess', id).expect(201);
    const orderNumber = placed.body.data.orders.find((o: any) => o.storeName === 'Acme Outdoors').orderNumber;
    await markPlacedAtRetailer(h, orderNumber, 'ACME-T1');
    const order = (await h.http.get(`/api/v1/orders/${orderNumber}`).set(admin).expect(200)).body.data;
    const mug = order.items[0];
    const refund = (body: object, key: string) =>
      h.http.post(`/api/v1/admin/orders/${orderNumber}/refunds`).set(admin).set('Idempotency-Key', key).send(body);
    const one = await refund(
      { items: [{ orderItemId: mug.orderItemId, quantity: 1 }], reason: 'returned one mug' },
      'tess-1',
    ).expect(201);
    // One mug of two: half of what the items cost after the discount, with their tax: (2500 − 500 + 145) / 2 = 1072.5 → 1073
    expect(one.body.data).toMatchObject({ amountCents: 1073, status: 'succeeded' });
    const rest = await refund({ reason: 'the rest' }, 'tess-2').expect(201);
    expect(rest.body.data.amountCents).toBe(acme.totalCents - 1073);
    const after = (await h.http.get(`/api/v1/orders/${orderNumber}`).set(admin).expect(200)).body.data;
    expect(after).toMatchObject({ status: 'refunded', refundedCents: acme.totalCents });
  });

  it('gives a first-order code only to a shopper who has not paid before', async () => {
    const { id } = await readySession('uma', [['globex', 'LAMP', 1]], 'WELCOME15');
    await place('uma', id).expect(201);
    await h.addToCart('uma', 'globex', 'LAMP', 1);
    const again = await applyCode('uma', 'WELCOME15').expect(422);
    expect(again.body.error).toMatchObject({
      code: 'promo_code_not_eligible',
      details: { reason: 'first_order_only' },
    });
  });

  it('refuses to open a checkout with a code the cart no longer qualifies for', async () => {
    await h.addToCart('vic', 'acme', 'TENT-2P', 1);
    await applyCode('vic', 'BIG50').expect(200);
    const cart = (await h.http.get('/api/v1/cart').set(bearer('vic')).expect(200)).body.data;
    await h.http.patch(`/api/v1/cart/items/${cart.items[0].id}`).set(bearer('vic')).send({ quantity: 1 }).expect(200);
    await h.http.put('/api/v1/admin/promotions/BIG50').set(admin).send({ minSubtotalCents: 20000 }).expect(200);
    const refused = await h.http.post(sessionsUrl).set(bearer('vic')).expect(422);
    expect(refused.body.error).toMatchObject({ code: 'promo_code_not_eligible', details: { reason: 'min_subtotal' } });
  });

  it('gives the last use of a code to exactly one of 20 shoppers placing at once; nobody else is charged', async () => {
    await h.http
      .post('/api/v1/admin/promotions')
      .set(admin)
      .send({ code: 'LAST1', kind: 'fixed_amount', amountCents: 300, totalLimit: 1 })
      .expect(201);
    const shoppers = Array.from({ length: 20 }, (_, index) => `racer-${index}`);
    const sessions: string[] = [];
    for (const shopper of shoppers) sessions.push((await readySession(shopper, [['globex', 'LAMP', 1]], 'LAST1')).id);
    const answers = await Promise.all(shoppers.map((shopper, index) => place(shopper, sessions[index])));
    const statuses = answers.map((res) => res.status).sort();
    expect(statuses).toEqual([201, ...Array(19).fill(422)]);
    expect(
      answers.filter((res) => res.status === 422).every((res) => res.body.error.code === 'promo_code_exhausted'),
    ).toBe(true);
    const charges = await h.database
      .db('payment_transactions')
      .whereIn('checkout_session_id', sessions)
      .where({ type: 'charge' });
    expect(charges).toHaveLength(1);
    expect(await promotion('LAST1')).toMatchObject({ uses: 1, redeemed: 1 });
    const refusedSession = sessions[answers.findIndex((res) => res.status === 422)];
    expect(
      (
        await h.http
          .get(`${sessionsUrl}/${refusedSession}`)
          .set(bearer(shoppers[answers.findIndex((res) => res.status === 422)]))
      ).body.data.status,
    ).toBe('pending');
  });

  it('gives a declined checkout’s held use back, so the next shopper can have it', async () => {
    await h.http
      .post('/api/v1/admin/promotions')
      .set(admin)
      .send({ code: 'ONCE', kind: 'percent', percentOff: 10, totalLimit: 1 })
      .expect(201);
    const declined = await readySession('wes', [['globex', 'LAMP', 1]], 'ONCE', 'pm_card_chargeDeclined');
    expect((await place('wes', declined.id)).body.error.code).toBe('payment_declined');
    expect(await promotion('ONCE')).toMatchObject({ uses: 0 });
    const other = await readySession('xia', [['globex', 'LAMP', 1]], 'ONCE');
    await place('xia', other.id).expect(201);
    const late = await place('wes', declined.id, 'wes-second');
    expect(late.status).toBe(422);
    expect(late.body.error.code).toBe('promo_code_exhausted');
  });

  it('keeps a use held while 3-D Secure is pending, and gives it back when the checkout is cancelled or expires unpaid', async () => {
    await h.http
      .post('/api/v1/admin/promotions')
      .set(admin)
      .send({ code: 'HELD', kind: 'fixed_amount', amountCents: 100, totalLimit: 5 })
      .expect(201);
    const cancelled = await readySession('yan', [['globex', 'LAMP', 1]], 'HELD', 'pm_card_authenticationRequired');
    expect((await place('yan', cancelled.id)).body.error.code).toBe('payment_requires_action');
    expect(await promotion('HELD')).toMatchObject({ uses: 1, redeemed: 0 });
    await h.http.delete(`${sessionsUrl}/${cancelled.id}`).set(bearer('yan')).expect(200);
    expect(await promotion('HELD')).toMatchObject({ uses: 0 });

    const abandoned = await readySession('zed', [['globex', 'LAMP', 1]], 'HELD', 'pm_card_authenticationRequired');
    expect((await place('zed', abandoned.id)).body.error.code).toBe('payment_requires_action');
    expect(await h.app.services.promotions.releaseUnpayableHolds()).toBe(0); // its payment may still be completed
    h.clock.advance(31 * 60_000);
    await h.app.services.placeCheckout.recoverAbandonedPayments(); // cancels the expired session's payment
    expect(await h.app.services.promotions.releaseUnpayableHolds()).toBe(1);
    expect(await promotion('HELD')).toMatchObject({ uses: 0 });
  });

  it('never takes a checkout below the minimum charge: a code worth more than a shipping-free cart leaves 50 cents', async () => {
    const { id, session } = await readySession('zero', [['globex', 'LAMP', 1]], 'HUGE');
    // 3499 − 3449 = 50 to pay for the items, plus CA tax on 50 (3.6 → 4)
    expect(session.cartSnapshot.summary).toMatchObject({ discountCents: 3449, taxCents: 4, totalCents: 54 });
    expect((await place('zero', id).expect(201)).body.data.chargedCents).toBe(54);
  });

  it('answers as the OpenAPI document says, for every promotion and shipping-choice operation', async () => {
    const schemas = documentedResponseSchemas();
    const served = (await h.http.get('/api/docs.json').expect(200)).body;
    const documented = (operation: string, res: { status: number; body: unknown }) => {
      const [method, path] = operation.split(' ');
      const key = `${method} /api/v1${path} ${res.status}`;
      expect({
        key,
        listed: served.paths[`/api/v1${path}`]?.[method.toLowerCase()]?.responses[res.status] !== undefined,
      }).toEqual({ key, listed: true });
      const parsed = schemas.get(key)!.safeParse(res.body);
      expect({ key, issues: parsed.error?.issues ?? [] }).toEqual({ key, issues: [] });
      expect({ key, body: res.body }).toStrictEqual({ key, body: parsed.data });
    };
    documented('GET /admin/promotions', await h.http.get('/api/v1/admin/promotions').set(admin));
    documented(
      'POST /admin/promotions',
      await h.http.post('/api/v1/admin/promotions').set(admin).send({
        code: 'DOC5',
        kind: 'fixed_amount',
        amountCents: 5,
        startsAt: '2026-01-01T00:00:00Z',
        endsAt: '2999-01-01T00:00:00Z',
      }),
    );
    documented(
      'POST /admin/promotions',
      await h.http.post('/api/v1/admin/promotions').set(admin).send({ code: 'DOC5', kind: 'free_shipping' }),
    );
    documented('GET /admin/promotions/{code}', await h.http.get('/api/v1/admin/promotions/DOC5').set(admin));
    documented('GET /admin/promotions/{code}', await h.http.get('/api/v1/admin/promotions/NOPE').set(admin));
    documented(
      'PUT /admin/promotions/{code}',
      await h.http.put('/api/v1/admin/promotions/DOC5').set(admin).send({ totalLimit: null, active: true }),
    );
    documented(
      'GET /admin/stores/{slug}/shipping-options',
      await h.http.get('/api/v1/admin/stores/acme/shipping-options').set(admin),
    );
    documented(
      'PUT /admin/stores/{slug}/shipping-options',
      await h.http
        .put('/api/v1/admin/stores/globex/shipping-options')
        .set(admin)
        .send({ options: [{ id: 'ground', name: 'Ground', priceCents: 0, minDays: 2, maxDays: 5 }] }),
    );
    documented(
      'PUT /admin/stores/{slug}/shipping-options',
      await h.http.put('/api/v1/admin/stores/nope/shipping-options').set(admin).send({ options: [] }),
    );
    await h.addToCart('doc', 'globex', 'LAMP', 1);
    documented('POST /cart/promo', await applyCode('doc', 'DOC5'));
    documented('POST /cart/promo', await applyCode('doc', 'GONE'));
    documented('GET /cart', await h.http.get('/api/v1/cart').set(bearer('doc')));
    const created = await h.http.post(sessionsUrl).set(bearer('doc'));
    documented('POST /checkout/sessions', created);
    const id = created.body.data.sessionId;
    const storeId = created.body.data.cartSnapshot.stores[0].storeId;
    documented(
      'PUT /checkout/sessions/{sessionId}/shipping-options',
      await h.http
        .put(`${sessionsUrl}/${id}/shipping-options`)
        .set(bearer('doc'))
        .send({ choices: [{ storeId, optionId: 'ground' }] }),
    );
    documented(
      'PUT /checkout/sessions/{sessionId}/shipping-options',
      await h.http
        .put(`${sessionsUrl}/${id}/shipping-options`)
        .set(bearer('doc'))
        .send({ choices: [{ storeId, optionId: 'rocket' }] }),
    );
    documented('DELETE /cart/promo', await h.http.delete('/api/v1/cart/promo').set(bearer('doc')));
  });
});
