import { startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';
import { bearer } from './support/tokens';

let h: CheckoutHarness;
const placed: Record<string, { sessionId: string; orderNumbers: string[]; chargedCents: number }> = {};

beforeAll(async () => {
  h = await startCheckoutHarness();
  await h.seedCatalog();
  for (const [user, count] of [['reader-1', 2], ['reader-2', 1]] as const) {
    for (let i = 0; i < count; i += 1) {
      const sessionId = await h.sessionReadyToPlace(user);
      const { body } = await h.http.post(`/api/v1/checkout/sessions/${sessionId}/place`).set(bearer(user)).set('Idempotency-Key', `${user}-${i}`).expect(201);
      placed[`${user}-${i}`] = { sessionId, orderNumbers: body.data.orders.map((o: { orderNumber: string }) => o.orderNumber), chargedCents: body.data.chargedCents };
    }
  }
});
afterAll(() => h.close());

describe('orders', () => {
  it('lists a shopper’s own orders grouped by checkout, newest first, with paging', async () => {
    const { body } = await h.http.get('/api/v1/orders').set(bearer('reader-1')).expect(200);
    expect(body.data.totalOrders).toBe(4);
    expect(body.data.checkoutSessions.map((s: { checkoutSessionId: string }) => s.checkoutSessionId)).toEqual([placed['reader-1-1'].sessionId, placed['reader-1-0'].sessionId]);
    expect(body.data.checkoutSessions[0]).toMatchObject({ totalCents: placed['reader-1-1'].chargedCents, orders: [expect.objectContaining({ status: 'pending' }), expect.anything()] });
    const page = await h.http.get('/api/v1/orders?limit=1&offset=1').set(bearer('reader-1')).expect(200);
    expect(page.body.data.checkoutSessions.map((s: { checkoutSessionId: string }) => s.checkoutSessionId)).toEqual([placed['reader-1-0'].sessionId]);
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
    const early = await h.http.put(`/api/v1/orders/${orderNumber}/tracking`).set(bearer('ops-1', 'ops')).send({ trackingNumber: '1Z999AA10123456784', carrier: 'UPS' });
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({ code: 'invalid_transition', details: { from: 'pending', to: 'shipped' } });

    await h.database.db('orders').where({ order_number: orderNumber }).update({ status: 'placing', status_reason: 'test: picked up' });
    await h.database.db('orders').where({ order_number: orderNumber }).update({ status: 'placed', store_order_number: 'ACME-1', status_reason: 'test: placed' });
    const shipped = await h.http
      .put(`/api/v1/orders/${orderNumber}/tracking`)
      .set(bearer('ops-1', 'ops'))
      .send({ trackingNumber: '1Z999AA10123456784', carrier: 'UPS', estimatedDelivery: '2026-12-01' })
      .expect(200);
    expect(shipped.body.data).toMatchObject({ status: 'shipped', trackingNumber: '1Z999AA10123456784', carrier: 'UPS', estimatedDelivery: '2026-12-01', storeOrderNumber: 'ACME-1' });
    expect(shipped.body.data.statusHistory.map((e: { toStatus: string }) => e.toStatus)).toEqual(['pending', 'placing', 'placed', 'shipped']);
    const seenByShopper = await h.http.get(`/api/v1/orders/${orderNumber}`).set(bearer('reader-2')).expect(200);
    expect(seenByShopper.body.data.refundedCents).toBe(0);

    // PUT is idempotent: the same tracking again changes nothing; other tracking corrects it, with a trace.
    const tracking = { trackingNumber: '1Z999AA10123456784', carrier: 'UPS', estimatedDelivery: '2026-12-01' };
    const again = await h.http.put(`/api/v1/orders/${orderNumber}/tracking`).set(bearer('ops-1', 'ops')).send(tracking).expect(200);
    expect(again.body.data.statusHistory).toHaveLength(4);
    const corrected = await h.http
      .put(`/api/v1/orders/${orderNumber}/tracking`)
      .set(bearer('ops-1', 'ops'))
      .send({ trackingNumber: '9400111899223197428490', carrier: 'USPS' })
      .expect(200);
    expect(corrected.body.data).toMatchObject({ status: 'shipped', trackingNumber: '9400111899223197428490', carrier: 'USPS', estimatedDelivery: null });
    expect(corrected.body.data.statusHistory.at(-1)).toMatchObject({ fromStatus: 'shipped', toStatus: 'shipped', reason: expect.stringContaining('corrected') });
  });
});
