import Stripe from 'stripe';
import { startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';
import { createStripeGateway } from '../src/payments/stripe-gateway';
import { claimProviderEvent, EVENT_CLAIM_LEASE_MS } from '../src/repositories/webhook-events-repository';

const WEBHOOK_SECRET = 'whsec_test_secret_for_webhooks';
let h: CheckoutHarness;
beforeAll(async () => {
  h = await startCheckoutHarness();
  await h.seedCatalog();
  // The same app, now with a webhook secret.
  const { composeApp } = await import('./support/compose-app');
  const app = composeApp({
    db: h.database.db,
    payments: createStripeGateway({ secretKey: 'sk_test_harness', apiUrl: h.stripe.url }),
    jwtSecret: 'irrelevant-secret-for-this-test',
    placement: { adapters: [], enqueue: async () => {}, stripeWebhookSecret: WEBHOOK_SECRET },
  });
  (h as { http: unknown }).http = (await import('supertest')).default(app.app);
});
afterAll(() => h.close());

const stripe = new Stripe('sk_test_unused');
function deliver(event: object, secret = WEBHOOK_SECRET) {
  const payload = JSON.stringify(event);
  const signature = stripe.webhooks.generateTestHeaderString({ payload, secret });
  return h.http
    .post('/api/v1/webhooks/stripe')
    .set('Content-Type', 'application/json')
    .set('Stripe-Signature', signature)
    .send(payload);
}

const event = (id: string, type: string, object: object) => ({
  id,
  object: 'event',
  type,
  api_version: '2026-10-28',
  created: Math.floor(Date.now() / 1000),
  data: { object },
});

/** An order whose refund Stripe answered `pending`, as real refunds sometimes are. */
async function pendingRefund(tag: string) {
  const sessionId = `cs_webhooktest${tag}`;
  await h.database.db('checkout_sessions').insert({
    id: sessionId,
    user_id: 'u',
    status: 'placed',
    cart_snapshot: '{}',
    subtotal_cents: 1000,
    shipping_cents: 0,
    tax_cents: 0,
    total_cents: 1000,
    payment_intent_id: `pi_x${tag}`,
    expires_at: new Date(Date.now() + 60_000),
  });
  const store = await h.database.db('stores').first('id');
  const [order] = await h.database
    .db('orders')
    .insert({
      order_number: `MO-WEBHOOK00${tag}`,
      checkout_session_id: sessionId,
      store_id: store.id,
      user_id: 'u',
      placement_method: 'api',
      subtotal_cents: 1000,
      shipping_cents: 0,
      tax_cents: 0,
      total_cents: 1000,
      shipping_address: '{}',
    })
    .returning('id');
  await h.database.db('payment_transactions').insert({
    checkout_session_id: sessionId,
    order_id: order.id,
    type: 'refund',
    status: 'pending',
    amount_cents: 1000,
    stripe_refund_id: `re_pending_${tag}`,
    idempotency_key: `k-pending-refund-${tag}`,
  });
}

const refundRow = (tag: string) =>
  h.database
    .db('payment_transactions')
    .where({ idempotency_key: `k-pending-refund-${tag}` })
    .first();

describe('Stripe webhooks', () => {
  it('accepts a correctly signed event once and records it', async () => {
    const e = event('evt_1', 'payment_intent.succeeded', {
      id: 'pi_123',
      object: 'payment_intent',
      status: 'succeeded',
    });
    const first = await deliver(e).expect(200);
    expect(first.body.data).toMatchObject({ eventId: 'evt_1', duplicate: false, outcome: 'ignored' });
    const again = await deliver(e).expect(200);
    expect(again.body.data).toMatchObject({ duplicate: true });
    expect(await h.database.db('provider_webhook_events').where({ id: 'evt_1' })).toHaveLength(1);
  });

  it('refuses events signed with another secret or not signed at all', async () => {
    const e = event('evt_2', 'charge.refunded', { id: 'ch_1' });
    const forged = await deliver(e, 'whsec_someone_else');
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('invalid_signature');
    const unsigned = await h.http
      .post('/api/v1/webhooks/stripe')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(e));
    expect(unsigned.status).toBe(401);
    expect(await h.database.db('provider_webhook_events').where({ id: 'evt_2' })).toHaveLength(0);
  });

  it('settles a pending refund from its final state', async () => {
    await pendingRefund('1');
    const res = await deliver(
      event('evt_3', 'refund.updated', { id: 're_pending_1', object: 'refund', status: 'succeeded' }),
    ).expect(200);
    expect(res.body.data.outcome).toBe('applied');
    expect(await refundRow('1')).toMatchObject({ status: 'succeeded' });
  });

  describe('when a delivery died between claiming the event and settling it', () => {
    const settled = (refundId: string) =>
      event(`evt_settle_${refundId}`, 'refund.updated', {
        id: `re_pending_${refundId}`,
        object: 'refund',
        status: 'succeeded',
      });

    /** What a process killed mid-delivery leaves behind: the event's claim, never settled. */
    async function claimAsACrashedDelivery(e: ReturnType<typeof event>) {
      const claim = await claimProviderEvent(
        h.database.db,
        { id: e.id, type: e.type, payload: e.data.object },
        new Date(),
      );
      expect(claim).toMatchObject({ status: 'claimed', resumed: false });
    }

    it('answers a retry within the lease 409 request_in_progress and leaves the refund pending', async () => {
      await pendingRefund('2');
      const e = settled('2');
      await claimAsACrashedDelivery(e);
      const retry = await deliver(e).expect(409);
      expect(retry.body.error.code).toBe('request_in_progress');
      expect(await refundRow('2')).toMatchObject({ status: 'pending' });
      expect(await h.database.db('provider_webhook_events').where({ id: e.id }).first()).toMatchObject({
        outcome: 'processing',
      });
    });

    it('settles the refund on a retry after the lease, once, and answers later ones as duplicates', async () => {
      await pendingRefund('3');
      const e = settled('3');
      await claimAsACrashedDelivery(e);
      await h.database
        .db('provider_webhook_events')
        .where({ id: e.id })
        .update({ claimed_at: new Date(Date.now() - EVENT_CLAIM_LEASE_MS - 1_000) });
      const retry = await deliver(e).expect(200);
      expect(retry.body.data).toMatchObject({ eventId: e.id, duplicate: false, outcome: 'applied' });
      const again = await deliver(e).expect(200);
      expect(again.body.data).toMatchObject({ duplicate: true, outcome: 'ignored' });
      expect(await refundRow('3')).toMatchObject({ status: 'succeeded' });
      expect(await h.database.db('provider_webhook_events').where({ id: e.id })).toEqual([
        expect.objectContaining({ outcome: 'applied' }),
      ]);
    });
  });
});
