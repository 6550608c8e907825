import { ADDRESS, startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';
import { bearer } from './support/tokens';

let h: CheckoutHarness;
const placed: Record<string, { sessionId: string; orderNumbers: string[]; chargedCents: number }> = {};

beforeAll(async () => {
  h = await startCheckoutHarness();
  await h.seedCatalog();
  for (const [user, count] of [
    ['reader-1', 2],
    ['reader-2', 1],
  ] as const) {
    for (let i = 0; i < count; i += 1) {
      const sessionId = await h.sessionReadyToPlace(user);
      const { body } = await h.http
        .post(`/api/v1/checkout/sessions/${sessionId}/place`)
        .set(bearer(user))
        .set('Idempotency-Key', `${user}-${i}`)
        .expect(201);
      placed[`${user}-${i}`] = {
        sessionId,
        orderNumbers: body.data.orders.map((o: { orderNumber: string }) => o.orderNumber),
        chargedCents: body.data.chargedCents,
      };
    }
  }
});
afterAll(() => h.close());

describe('orders', () => {
  it('lists a shopper’s own orders grouped by checkout, newest first, with paging', async () => {
    const { body } = await h.http.get('/api/v1/orders').set(bearer('reader-1')).expect(200);
    expect(body.data.totalOrders).toBe(4);
    expect(body.data.checkoutSessions.map((s: { checkoutSessionId: string }) => s.checkoutSessionId)).toEqual([
      placed['reader-1-1'].sessionId,
      placed['reader-1-0'].sessionId,
    ]);
    expect(body.data.checkoutSessions[0]).toMatchObject({
      totalCents: placed['reader-1-1'].chargedCents,
      orders: [
        expect.objectContaining({ status: 'pending', currency: 'usd' }),
        expect.objectContaining({ currency: 'usd' }),
      ],
    });
    const page = await h.http.get('/api/v1/orders?limit=1&offset=1').set(bearer('reader-1')).expect(200);
    expect(page.body.data.checkoutSessions.map((s: { checkoutSessionId: string }) => s.checkoutSessionId)).toEqual([
      placed['reader-1-0'].sessionId,
    ]);
    const none = await h.http.get('/api/v1/orders?status=shipped').set(bearer('reader-1')).expect(200);
    expect(none.body.data).toMatchObject({ checkoutSessions: [], totalOrders: 0 });
    expect((await h.http.get('/api/v1/orders?status=lost').set(bearer('reader-1'))).status).toBe(400);
  });

  it('lets ops see everyone’s orders, while a shopper cannot read another’s order', async () => {
    const all = await h.http.get('/api/v1/orders').set(bearer('ops-1', 'ops')).expect(200);
    expect(all.body.data.totalOrders).toBe(6);
    const someoneElses = placed['reader-2-0'].orderNumbers[0];
    const res = await h.http.get(`/api/v1/orders/${someoneElses}`).set(bearer('reader-1'));
    expect(res.status).toBe(404);
    await h.http.get(`/api/v1/orders/${someoneElses}`).set(bearer('ops-1', 'ops')).expect(200);
  });

  it('lists orders for ops a page at a time with how many match beside the page, each with its currency', async () => {
    const ops = bearer('ops-1', 'ops');
    const list = (query: string) => h.http.get(`/api/v1/ops/orders?${query}`).set(ops).expect(200);
    const everyOrder = Object.values(placed).flatMap((checkout) => checkout.orderNumbers);

    const first = await list('limit=4');
    expect(first.body.meta).toEqual({ totalOrders: 6, limit: 4, offset: 0 });
    expect(first.body.data).toHaveLength(4);
    const rest = await list('limit=4&offset=4');
    expect(rest.body.meta).toEqual({ totalOrders: 6, limit: 4, offset: 4 });
    const seen = [...first.body.data, ...rest.body.data];
    expect(seen.map((order: { orderNumber: string }) => order.orderNumber).sort()).toEqual([...everyOrder].sort());
    expect(seen.every((order: { currency: string }) => order.currency === 'usd')).toBe(true);

    expect((await list('status=pending&limit=1')).body).toMatchObject({
      data: [expect.objectContaining({ status: 'pending' })],
      meta: { totalOrders: 6 },
    });
    expect((await list('status=failed')).body).toEqual({
      success: true,
      data: [],
      meta: { totalOrders: 0, limit: 20, offset: 0 },
    });
    expect((await list('offset=50')).body.meta).toEqual({ totalOrders: 6, limit: 20, offset: 50 });
  });

  it('summarises counts and net money spent from the ledger', async () => {
    const { body } = await h.http.get('/api/v1/orders/stats').set(bearer('reader-1')).expect(200);
    expect(body.data).toMatchObject({
      totalOrders: 4,
      totalSpentCents: placed['reader-1-0'].chargedCents + placed['reader-1-1'].chargedCents,
      byStatus: { pending: 4 },
    });
    expect(body.data.stores).toEqual([
      expect.objectContaining({ storeName: 'Acme Outdoors', orders: 2 }),
      expect.objectContaining({ storeName: 'Globex Home', orders: 2 }),
    ]);
  });

  it('lets ops record tracking on a placed order (shipped), and refuses to ship an unplaced one', async () => {
    const [orderNumber] = placed['reader-2-0'].orderNumbers;
    const early = await h.http
      .put(`/api/v1/orders/${orderNumber}/tracking`)
      .set(bearer('ops-1', 'ops'))
      .send({ trackingNumber: '1Z999AA10123456784', carrier: 'UPS' });
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({ code: 'invalid_transition', details: { from: 'pending', to: 'shipped' } });

    await h.database
      .db('orders')
      .where({ order_number: orderNumber })
      .update({ status: 'placing', status_reason: 'test: picked up' });
    await h.database
      .db('orders')
      .where({ order_number: orderNumber })
      .update({ status: 'placed', store_order_number: 'ACME-1', status_reason: 'test: placed' });
    const shipped = await h.http
      .put(`/api/v1/orders/${orderNumber}/tracking`)
      .set(bearer('ops-1', 'ops'))
      .send({ trackingNumber: '1Z999AA10123456784', carrier: 'UPS', estimatedDelivery: '2026-12-01' })
      .expect(200);
    expect(shipped.body.data).toMatchObject({
      status: 'shipped',
      trackingNumber: '1Z999AA10123456784',
      carrier: 'UPS',
      estimatedDelivery: '2026-12-01',
      storeOrderNumber: 'ACME-1',
    });
    expect(shipped.body.data.statusHistory.map((e: { toStatus: string }) => e.toStatus)).toEqual([
      'pending',
      'placing',
      'placed',
      'shipped',
    ]);
    const seenByShopper = await h.http.get(`/api/v1/orders/${orderNumber}`).set(bearer('reader-2')).expect(200);
    expect(seenByShopper.body.data.refundedCents).toBe(0);

    // PUT is idempotent: the same tracking again changes nothing; other tracking corrects it, with a trace.
    const tracking = { trackingNumber: '1Z999AA10123456784', carrier: 'UPS', estimatedDelivery: '2026-12-01' };
    const again = await h.http
      .put(`/api/v1/orders/${orderNumber}/tracking`)
      .set(bearer('ops-1', 'ops'))
      .send(tracking)
      .expect(200);
    expect(again.body.data.statusHistory).toHaveLength(4);
    const corrected = await h.http
      .put(`/api/v1/orders/${orderNumber}/tracking`)
      .set(bearer('ops-1', 'ops'))
      .send({ trackingNumber: '9400111899223197428490', carrier: 'USPS' })
      .expect(200);
    expect(corrected.body.data).toMatchObject({
      status: 'shipped',
      trackingNumber: '9400111899223197428490',
      carrier: 'USPS',
      estimatedDelivery: null,
    });
    expect(corrected.body.data.statusHistory.at(-1)).toMatchObject({
      fromStatus: 'shipped',
      toStatus: 'shipped',
      reason: expect.stringContaining('corrected'),
    });
  });

  it('gives each order the currency of its store, in the shopper’s list, the ops list and the order itself', async () => {
    const admin = bearer('admin-1', 'admin');
    await h.http
      .post('/api/v1/admin/stores')
      .set(admin)
      .send({
        slug: 'maison',
        name: 'Maison Paris',
        currency: 'eur',
        placementMethod: 'api',
        placementConfig: { baseUrl: 'http://127.0.0.1:9/retailers/maison', apiKey: 'maison-key' },
      })
      .expect(201);
    await h.http
      .put('/api/v1/admin/products')
      .set(admin)
      .send({ storeSlug: 'maison', sku: 'SCARF', name: 'Silk scarf', priceCents: 8900 })
      .expect(201);
    const shopper = bearer('reader-eu');
    await h.addToCart('reader-eu', 'maison', 'SCARF');
    const sessionId = (await h.http.post('/api/v1/checkout/sessions').set(shopper).expect(201)).body.data.sessionId;
    await h.http.put(`/api/v1/checkout/sessions/${sessionId}/shipping`).set(shopper).send(ADDRESS).expect(200);
    await h.http
      .put(`/api/v1/checkout/sessions/${sessionId}/payment`)
      .set(shopper)
      .send({ paymentMethodId: 'pm_card_visa' })
      .expect(200);
    const [{ orderNumber }] = (
      await h.http
        .post(`/api/v1/checkout/sessions/${sessionId}/place`)
        .set(shopper)
        .set('Idempotency-Key', 'reader-eu-0')
        .expect(201)
    ).body.data.orders;

    const mine = await h.http.get('/api/v1/orders').set(shopper).expect(200);
    expect(mine.body.data.checkoutSessions[0].orders).toEqual([
      expect.objectContaining({ orderNumber, currency: 'eur' }),
    ]);
    const forOps = await h.http
      .get('/api/v1/ops/orders?status=pending&limit=100')
      .set(bearer('ops-1', 'ops'))
      .expect(200);
    expect(forOps.body.data).toContainEqual(expect.objectContaining({ orderNumber, currency: 'eur' }));
    expect(forOps.body.data.filter((order: { currency: string }) => order.currency === 'usd').length).toBeGreaterThan(
      0,
    );
    expect((await h.http.get(`/api/v1/orders/${orderNumber}`).set(shopper).expect(200)).body.data.currency).toBe('eur');
  });
});
