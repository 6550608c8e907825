import Stripe from 'stripe';
import { startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';
import { markPlacedAtRetailer, placeCheckout } from './support/order-fixtures';
import { bearer } from './support/tokens';

/**
 * The resume half of a refund: a pending ledger row is finished by asking Stripe where its refund stands,
 * never by creating it again, even once Stripe has forgotten the row's idempotency key. The harness has no
 * webhook secret, so no webhook can settle anything here: only the resume does.
 */

let h: CheckoutHarness;
let stripe: Stripe;
beforeAll(async () => {
  h = await startCheckoutHarness();
  await h.seedCatalog();
  const url = new URL(h.stripe.url);
  stripe = new Stripe('sk_test_observer', {
    host: url.hostname,
    port: Number(url.port),
    protocol: 'http',
    telemetry: false,
  });
});
afterAll(() => h.close());
afterEach(() => h.stripe.clearFaults());

const admin = bearer('admin-1', 'admin');
/** Stripe may forget an idempotency key once it is 24 hours old; the service looks refunds up by key from 20 h. */
const PAST_KEY_MEMORY_MS = 21 * 60 * 60 * 1000;

const refund = (orderNumber: string, amountCents: number, key: string) =>
  h.http
    .post(`/api/v1/admin/orders/${orderNumber}/refunds`)
    .set(admin)
    .set('Idempotency-Key', key)
    .send({ amountCents, reason: 'goodwill gesture' });
const resume = (limit?: number) => h.app.services.refunds.resumePendingRefunds(limit);
const refundsOf = (orderNumber: string) =>
  h.database
    .db('payment_transactions as t')
    .join('orders as o', 'o.id', 't.order_id')
    .where('o.order_number', orderNumber)
    .whereIn('t.type', ['refund', 'partial_refund'])
    .orderBy('t.created_at')
    .select('t.*');
const refundedCents = async (orderNumber: string): Promise<number> =>
  (await h.http.get(`/api/v1/orders/${orderNumber}`).set(admin).expect(200)).body.data.refundedCents;
const paymentIntentOf = async (sessionId: string): Promise<string> =>
  (await h.database.db('checkout_sessions').where({ id: sessionId }).first()).payment_intent_id;

/** A checkout whose first (acme) order the retailer has accepted, so an admin may refund it. */
async function placedOrder(userId: string) {
  const { sessionId, orderNumbers } = await placeCheckout(h, userId);
  await markPlacedAtRetailer(h, orderNumbers[0], `ACME-${userId}`);
  return { sessionId, orderNumber: orderNumbers[0] };
}

/** Moves the service's clock past Stripe's memory of idempotency keys, and Stripe's with it, for one test. */
async function longAfter(then: () => Promise<void>) {
  h.clock.advance(PAST_KEY_MEMORY_MS);
  h.stripe.expireIdempotencyKeys();
  try {
    await then();
  } finally {
    h.clock.advance(-PAST_KEY_MEMORY_MS);
  }
}

describe('resuming refunds Stripe answered pending', () => {
  it('when a pending refund succeeds at the card network, then the resume retrieves it and settles the row, creating nothing', async () => {
    const { orderNumber } = await placedOrder('rr-1');
    h.stripe.holdRefunds();
    const created = await refund(orderNumber, 500, 'rr-1-a').expect(201);
    expect(created.body.data).toMatchObject({ status: 'pending', refundId: expect.stringMatching(/^re_/) });
    expect(await resume()).toBe(0);

    h.stripe.settleHeldRefunds('succeeded');
    const refundsBefore = h.stripe.stats().refundsCreated;

    expect(await resume()).toBe(1);
    expect(await refundsOf(orderNumber)).toEqual([
      expect.objectContaining({ status: 'succeeded', amount_cents: 500, stripe_refund_id: created.body.data.refundId }),
    ]);
    expect(h.stripe.stats().refundsCreated).toBe(refundsBefore);
    expect(await refundedCents(orderNumber)).toBe(500);
  });

  it('when a pending refund fails at the card network, then the row fails with Stripe’s reason and the amount may be refunded again', async () => {
    const { orderNumber } = await placedOrder('rr-2');
    h.stripe.holdRefunds();
    await refund(orderNumber, 700, 'rr-2-a').expect(201);

    h.stripe.settleHeldRefunds('failed');

    expect(await resume()).toBe(1);
    expect(await refundsOf(orderNumber)).toEqual([
      expect.objectContaining({ status: 'failed', failure_code: 'expired_or_canceled_card' }),
    ]);
    expect(await refundedCents(orderNumber)).toBe(0);
    expect((await refund(orderNumber, 700, 'rr-2-b').expect(201)).body.data.status).toBe('succeeded');
  });
});

describe('resuming refunds whose create was lost', () => {
  it('when Stripe made the refund but the answer was lost and the key is forgotten, then the resume adopts it by key instead of refunding twice', async () => {
    const { sessionId, orderNumber } = await placedOrder('rr-3');
    const refundsBefore = h.stripe.stats().refundsCreated;
    // Stripe commits the refund, but neither the call nor stripe-node's retry hears back.
    h.stripe.injectFaults({ count: 2, status: 500, afterCommit: true, path: '/v1/refunds', method: 'POST' });
    expect((await refund(orderNumber, 900, 'rr-3-a')).status).toBeGreaterThanOrEqual(500);
    expect(await refundsOf(orderNumber)).toEqual([
      expect.objectContaining({ status: 'pending', stripe_refund_id: null }),
    ]);
    expect(h.stripe.stats().refundsCreated).toBe(refundsBefore + 1);

    await longAfter(async () => {
      expect(await resume()).toBe(1);
    });

    const atStripe = await stripe.refunds.list({ payment_intent: await paymentIntentOf(sessionId) });
    expect(atStripe.data).toHaveLength(1);
    expect(await refundsOf(orderNumber)).toEqual([
      expect.objectContaining({ status: 'succeeded', stripe_refund_id: atStripe.data[0].id }),
    ]);
    expect(h.stripe.stats().refundsCreated).toBe(refundsBefore + 1);
  });

  it('when Stripe never made the refund and the key is forgotten, then the resume finds none by key and refunds once', async () => {
    const { sessionId, orderNumber } = await placedOrder('rr-4');
    const refundsBefore = h.stripe.stats().refundsCreated;
    h.stripe.injectFaults({ count: 2, status: 503, path: '/v1/refunds', method: 'POST' });
    expect((await refund(orderNumber, 900, 'rr-4-a')).status).toBeGreaterThanOrEqual(500);
    expect(h.stripe.stats().refundsCreated).toBe(refundsBefore);

    await longAfter(async () => {
      expect(await resume()).toBe(1);
    });

    const atStripe = await stripe.refunds.list({ payment_intent: await paymentIntentOf(sessionId) });
    expect(atStripe.data).toEqual([expect.objectContaining({ amount: 900, status: 'succeeded' })]);
    expect(await refundsOf(orderNumber)).toEqual([
      expect.objectContaining({ status: 'succeeded', stripe_refund_id: atStripe.data[0].id }),
    ]);
  });
});

describe('the order of resuming', () => {
  it('when refunds stay pending at Stripe for long, then a newer refund whose create failed still gets its turn', async () => {
    const { orderNumber } = await placedOrder('rr-5');
    h.stripe.holdRefunds();
    for (const key of ['rr-5-a', 'rr-5-b', 'rr-5-c']) await refund(orderNumber, 100, key).expect(201);
    h.stripe.injectFaults({ count: 2, status: 503, path: '/v1/refunds', method: 'POST' });
    expect((await refund(orderNumber, 100, 'rr-5-d')).status).toBeGreaterThanOrEqual(500);
    const refundsBefore = h.stripe.stats().refundsCreated;
    const newest = async () => (await refundsOf(orderNumber))[3];
    expect(await newest()).toMatchObject({ status: 'pending', stripe_refund_id: null });

    // Oldest first, two at a time, the three held refunds would fill every pass forever.
    await resume(2);
    await resume(2);

    expect(await newest()).toMatchObject({ status: 'pending', stripe_refund_id: expect.stringMatching(/^re_/) });
    expect(h.stripe.stats().refundsCreated).toBe(refundsBefore + 1);

    h.stripe.settleHeldRefunds('succeeded');
    expect((await resume(2)) + (await resume(2))).toBe(4);
    expect((await refundsOf(orderNumber)).map((row) => row.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    expect(await refundedCents(orderNumber)).toBe(400);
  });
});
