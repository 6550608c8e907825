import { signRetailerPayload } from '../src/domain/retailer-signature';
import { findOrderByNumber } from '../src/repositories/orders-repository';
import { claimRetailerEvent, EVENT_CLAIM_LEASE_MS } from '../src/repositories/webhook-events-repository';
import { transitionOrder } from '../src/services/order-state-machine';
import { startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';
import { ledgerFor, markPlacedAtRetailer, placeCheckout } from './support/order-fixtures';
import { bearer } from './support/tokens';

const SECRET = 'acme-webhook-secret-0123456789';
let h: CheckoutHarness;

beforeAll(async () => {
  h = await startCheckoutHarness();
  await h.seedCatalog();
  await h.http
    .put('/api/v1/admin/stores/acme')
    .set(bearer('admin-1', 'admin'))
    .send({ webhookSecret: SECRET })
    .expect(200);
});
afterAll(() => h.close());

const now = () => Math.floor(h.clock.now().getTime() / 1000);

function deliver(
  event: object,
  options: { secret?: string; at?: number; store?: string; signature?: string | null } = {},
) {
  const raw = JSON.stringify(event);
  const request = h.http
    .post(`/api/v1/webhooks/retailers/${options.store ?? 'acme'}`)
    .set('Content-Type', 'application/json');
  const signature =
    options.signature === undefined
      ? signRetailerPayload(raw, options.secret ?? SECRET, options.at ?? now())
      : options.signature;
  if (signature !== null) request.set('X-Retailer-Signature', signature);
  return request.send(raw);
}

async function placedAcmeOrder(userId: string, storeOrderNumber: string) {
  const { orderNumbers, sessionId } = await placeCheckout(h, userId);
  await markPlacedAtRetailer(h, orderNumbers[0], storeOrderNumber);
  return { orderNumber: orderNumbers[0], sessionId };
}

/** What a process killed mid-delivery leaves behind: the event's claim, never settled. */
async function claimAsACrashedDelivery(event: { id: string; type: string }) {
  const store = await h.database.db('stores').where({ slug: 'acme' }).first('id');
  const claim = await claimRetailerEvent(
    h.database.db,
    { storeId: store.id, eventId: event.id, type: event.type, payload: event },
    h.clock.now(),
  );
  expect(claim).toMatchObject({ status: 'claimed', resumed: false });
}

const storedEvent = (eventId: string) => h.database.db('retailer_webhook_events').where({ event_id: eventId }).first();

const orderOf = async (userId: string, orderNumber: string, role: 'shopper' | 'ops' = 'shopper') =>
  (await h.http.get(`/api/v1/orders/${orderNumber}`).set(bearer(userId, role)).expect(200)).body.data;

describe('retailer webhooks', () => {
  it('applies a signed shipping event with its tracking, once per event id', async () => {
    const { orderNumber } = await placedAcmeOrder('wh-1', 'ACME-100');
    const event = {
      id: 'evt_ship_1',
      type: 'order.shipped',
      data: { storeOrderNumber: 'ACME-100', trackingNumber: '1Z999', carrier: 'UPS', estimatedDelivery: '2026-12-01' },
    };
    const first = await deliver(event).expect(200);
    expect(first.body.data).toMatchObject({
      eventId: 'evt_ship_1',
      duplicate: false,
      outcome: 'applied',
      orderNumber,
      status: 'shipped',
    });
    const again = await deliver(event).expect(200);
    expect(again.body.data).toMatchObject({ duplicate: true, outcome: 'applied' });
    const order = await orderOf('ops-1', orderNumber, 'ops');
    expect(order).toMatchObject({
      status: 'shipped',
      trackingNumber: '1Z999',
      carrier: 'UPS',
      estimatedDelivery: '2026-12-01',
    });
    expect(order.statusHistory.filter((e: { toStatus: string }) => e.toStatus === 'shipped')).toEqual([
      expect.objectContaining({ fromStatus: 'placed', reason: expect.stringContaining('evt_ship_1') }),
    ]);
  });

  it('records and ignores an event that would move an order backwards', async () => {
    const { orderNumber } = await placedAcmeOrder('wh-2', 'ACME-200');
    await deliver({ id: 'evt_del_2', type: 'order.delivered', data: { storeOrderNumber: 'ACME-200' } }).expect(200);
    const late = await deliver({
      id: 'evt_conf_2',
      type: 'order.confirmed',
      data: { storeOrderNumber: 'ACME-200' },
    }).expect(200);
    expect(late.body.data).toMatchObject({ outcome: 'ignored', status: 'delivered' });
    expect((await orderOf('wh-2', orderNumber)).status).toBe('delivered');
    const stored = await h.database.db('retailer_webhook_events').where({ event_id: 'evt_conf_2' }).first();
    expect(stored).toMatchObject({ outcome: 'ignored', type: 'order.confirmed' });
  });

  it('refunds the shopper when the retailer cancels', async () => {
    const { orderNumber, sessionId } = await placedAcmeOrder('wh-3', 'ACME-300');
    const refundsBefore = h.stripe.stats().refundsCreated;
    await deliver({ id: 'evt_cancel_3', type: 'order.cancelled', data: { storeOrderNumber: 'ACME-300' } }).expect(200);
    const order = await orderOf('wh-3', orderNumber);
    expect(order.status).toBe('cancelled');
    expect(order.refundedCents).toBe(order.totalCents);
    expect(h.stripe.stats().refundsCreated - refundsBefore).toBe(1);
    const refunds = (await ledgerFor(h, sessionId)).filter((t) => t.type === 'refund');
    expect(refunds).toEqual([expect.objectContaining({ status: 'succeeded', amount_cents: order.totalCents })]);
  });

  it('refuses a missing, forged, stale or foreign signature with 401 invalid_signature', async () => {
    await placedAcmeOrder('wh-4', 'ACME-400');
    const event = { id: 'evt_sig_4', type: 'order.confirmed', data: { storeOrderNumber: 'ACME-400' } };
    for (const options of [
      { signature: null },
      { secret: 'not-the-secret-at-all' },
      { at: now() - 301 },
      { signature: 't=1,v1=abc' },
      { store: 'globex' },
      { store: 'no-such-store' },
    ]) {
      const res = await deliver(event, options);
      expect({ options, status: res.status, code: res.body.error?.code }).toEqual({
        options,
        status: 401,
        code: 'invalid_signature',
      });
    }
    expect(await h.database.db('retailer_webhook_events').where({ event_id: 'evt_sig_4' })).toHaveLength(0);
  });

  it('answers 404 for an order it does not know yet, and applies the retry once it does', async () => {
    const { orderNumbers } = await placeCheckout(h, 'wh-5');
    const event = { id: 'evt_early_5', type: 'order.confirmed', data: { storeOrderNumber: 'ACME-500' } };
    await deliver(event).expect(404);
    await markPlacedAtRetailer(h, orderNumbers[0], 'ACME-500');
    const retried = await deliver(event).expect(200);
    expect(retried.body.data).toMatchObject({ outcome: 'applied', status: 'confirmed' });
  });

  describe('when a delivery died between claiming the event and settling it', () => {
    it('answers a retry within the lease 409 request_in_progress and changes nothing', async () => {
      const { orderNumber } = await placedAcmeOrder('wh-6', 'ACME-600');
      const event = {
        id: 'evt_ship_6',
        type: 'order.shipped',
        data: { storeOrderNumber: 'ACME-600', trackingNumber: '1Z600', carrier: 'UPS' },
      };
      await claimAsACrashedDelivery(event);
      h.clock.advance(EVENT_CLAIM_LEASE_MS - 5_000);
      const retry = await deliver(event).expect(409);
      expect(retry.body.error.code).toBe('request_in_progress');
      const order = await orderOf('wh-6', orderNumber);
      expect(order).toMatchObject({ status: 'placed', trackingNumber: null });
      expect(await storedEvent('evt_ship_6')).toMatchObject({ outcome: 'processing' });
    });

    it('applies a retry after the lease exactly once, and answers later ones as duplicates', async () => {
      const { orderNumber } = await placedAcmeOrder('wh-7', 'ACME-700');
      const event = {
        id: 'evt_ship_7',
        type: 'order.shipped',
        data: { storeOrderNumber: 'ACME-700', trackingNumber: '1Z700', carrier: 'UPS' },
      };
      await claimAsACrashedDelivery(event);
      h.clock.advance(EVENT_CLAIM_LEASE_MS + 1_000);
      const retry = await deliver(event).expect(200);
      expect(retry.body.data).toMatchObject({
        eventId: 'evt_ship_7',
        duplicate: false,
        outcome: 'applied',
        orderNumber,
        status: 'shipped',
      });
      const again = await deliver(event).expect(200);
      expect(again.body.data).toMatchObject({ duplicate: true, outcome: 'applied' });
      const order = await orderOf('wh-7', orderNumber);
      expect(order).toMatchObject({ status: 'shipped', trackingNumber: '1Z700' });
      expect(order.statusHistory.filter((e: { toStatus: string }) => e.toStatus === 'shipped')).toHaveLength(1);
      expect(await storedEvent('evt_ship_7')).toMatchObject({ outcome: 'applied' });
    });

    it('finishes a cancellation that died after moving the order: the shopper is refunded once', async () => {
      const { orderNumber, sessionId } = await placedAcmeOrder('wh-8', 'ACME-800');
      const event = { id: 'evt_cancel_8', type: 'order.cancelled', data: { storeOrderNumber: 'ACME-800' } };
      await claimAsACrashedDelivery(event);
      // The crashed delivery got as far as the move (which commits with the refund it owes), not to sending it.
      const placed = (await findOrderByNumber(h.database.db, orderNumber))!;
      const owed = h.app.services.refunds.owedRefund(
        'cancelled by the retailer (evt_cancel_8)',
        `${orderNumber}:refund:retailer-cancelled`,
      );
      await transitionOrder(
        { db: h.database.db, clock: h.clock },
        placed,
        'cancelled',
        'retailer acme event evt_cancel_8: order.cancelled',
        {},
        owed,
      );
      const refundsBefore = h.stripe.stats().refundsCreated;
      h.clock.advance(EVENT_CLAIM_LEASE_MS + 1_000);

      const retry = await deliver(event).expect(200);
      expect(retry.body.data).toMatchObject({ duplicate: false, outcome: 'applied', status: 'cancelled' });
      await deliver(event).expect(200);
      const order = await orderOf('wh-8', orderNumber);
      expect(order.refundedCents).toBe(order.totalCents);
      expect(h.stripe.stats().refundsCreated - refundsBefore).toBe(1);
      expect((await ledgerFor(h, sessionId)).filter((t) => t.type === 'refund')).toHaveLength(1);
    });
  });

  it('answers a signed but malformed body with 400', async () => {
    const res = await deliver({ id: 'evt_bad', type: 'order.teleported', data: {} });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.error.details.fields)).toEqual(
      expect.arrayContaining(['type', 'data.storeOrderNumber']),
    );
  });
});
