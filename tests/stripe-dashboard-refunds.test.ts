import Stripe from 'stripe';
import { ledgerFor, markPlacedAtRetailer, placeCheckout } from './support/order-fixtures';
import { startOutsideHarness, WEBHOOK_SECRET, type OutsideHarness } from './support/stripe-outside';
import { bearer } from './support/tokens';

let h: OutsideHarness;
beforeAll(async () => {
  h = await startOutsideHarness();
});
afterAll(() => h.closeAll());

const admin = bearer('admin-1', 'admin');
const orderOf = async (orderNumber: string) =>
  (await h.http.get(`/api/v1/orders/${orderNumber}`).set(admin).expect(200)).body.data;
const refundTheRest = (orderNumber: string, key: string) =>
  h.http
    .post(`/api/v1/admin/orders/${orderNumber}/refunds`)
    .set(admin)
    .set('Idempotency-Key', key)
    .send({ reason: 'refund the rest' });

/** A placed two-store checkout (acme: 2 mugs, globex: a lamp), both orders with their retailers. */
async function placedCheckout(userId: string) {
  const { sessionId, orderNumbers } = await placeCheckout(h, userId);
  await markPlacedAtRetailer(h, orderNumbers[0], `ACME-${userId}`);
  await markPlacedAtRetailer(h, orderNumbers[1], `GLOBEX-${userId}`);
  const [acme, globex] = await Promise.all(orderNumbers.map(orderOf));
  return { sessionId, acme, globex, paymentIntentId: await h.paymentIntentOf(sessionId) };
}

async function dashboardRefund(paymentIntentId: string, amount?: number) {
  const refund = await h.control('dashboard/refunds', {
    paymentIntentId,
    ...(amount ? { amount } : {}),
    reason: 'requested_by_customer',
  });
  await h.eventsDelivered();
  return refund as { id: string; amount: number; status: string };
}

describe('a refund made in Stripe’s Dashboard', () => {
  it('of exactly one order’s total is that order’s: it is refunded, and the other order’s "refund the rest" returns all of it', async () => {
    const { sessionId, acme, globex, paymentIntentId } = await placedCheckout('dash-1');
    const refund = await dashboardRefund(paymentIntentId, globex.totalCents);

    const deliveries = (await h.control('events')).data.filter(
      (sent: any) => sent.event.data.object.id === refund.id || sent.event.type === 'charge.refunded',
    );
    expect(deliveries.map((sent: any) => sent.deliveries[0].status)).toEqual(expect.arrayContaining(['delivered']));
    expect(await orderOf(globex.orderNumber)).toMatchObject({ status: 'refunded', refundedCents: globex.totalCents });
    expect(await orderOf(acme.orderNumber)).toMatchObject({ status: 'placed', refundedCents: 0 });
    const rows = (await ledgerFor(h, sessionId)).filter((row) => row.stripe_refund_id === refund.id);
    expect(rows).toEqual([
      expect.objectContaining({
        type: 'refund',
        status: 'succeeded',
        amount_cents: globex.totalCents,
        source: 'stripe',
        attribution: 'whole_order',
        reason: expect.stringContaining(`all that order ${globex.orderNumber} had left`),
      }),
    ]);
    await h.expectBalanced(sessionId);

    const rest = await refundTheRest(acme.orderNumber, 'dash-1-rest').expect(201);
    expect(rest.body.data).toMatchObject({ amountCents: acme.totalCents, status: 'succeeded' });
    const nothingLeft = await refundTheRest(globex.orderNumber, 'dash-1-none');
    expect(nothingLeft.status).toBe(422);
    expect(nothingLeft.body.error).toMatchObject({ code: 'refund_exceeds_captured', details: { refundableCents: 0 } });
    await h.eventsDelivered();
    await h.expectBalanced(sessionId);
  });

  it('of any other amount is spread over the orders by what each had left, and "refund the rest" returns exactly what is left', async () => {
    const { sessionId, acme, globex, paymentIntentId } = await placedCheckout('dash-2');
    const refund = await dashboardRefund(paymentIntentId, 1_000);

    const rows = (await ledgerFor(h, sessionId)).filter((row) => row.stripe_refund_id === refund.id);
    const total = acme.totalCents + globex.totalCents;
    const acmeShare = Math.round((1_000 * acme.totalCents) / total);
    const orderIds = await h.database
      .db('orders')
      .where({ checkout_session_id: sessionId })
      .select('id', 'order_number');
    const numberOf = new Map(orderIds.map((row) => [row.id, row.order_number]));
    expect(Object.fromEntries(rows.map((row) => [numberOf.get(row.order_id), row.amount_cents]))).toEqual({
      [acme.orderNumber]: acmeShare,
      [globex.orderNumber]: 1_000 - acmeShare,
    });
    expect(
      rows.every((row) => row.attribution === 'spread' && row.source === 'stripe' && /spread over/.test(row.reason)),
    ).toBe(true);
    expect(await orderOf(acme.orderNumber)).toMatchObject({ status: 'partially_refunded', refundedCents: acmeShare });
    expect(await orderOf(globex.orderNumber)).toMatchObject({
      status: 'partially_refunded',
      refundedCents: 1_000 - acmeShare,
    });
    await h.expectBalanced(sessionId);

    const refundsBefore = h.stripe.stats().refundsCreated;
    expect((await refundTheRest(acme.orderNumber, 'dash-2-acme').expect(201)).body.data).toMatchObject({
      amountCents: acme.totalCents - acmeShare,
      status: 'succeeded',
    });
    expect((await refundTheRest(globex.orderNumber, 'dash-2-globex').expect(201)).body.data).toMatchObject({
      amountCents: globex.totalCents - (1_000 - acmeShare),
      status: 'succeeded',
    });
    expect(h.stripe.stats().refundsCreated - refundsBefore).toBe(2);
    expect(await orderOf(acme.orderNumber)).toMatchObject({ status: 'refunded', refundedCents: acme.totalCents });
    expect(await orderOf(globex.orderNumber)).toMatchObject({ status: 'refunded', refundedCents: globex.totalCents });
    const charge = await h.stripeSdk.charges.retrieve(
      (await h.stripeSdk.paymentIntents.retrieve(paymentIntentId)).latest_charge as string,
    );
    expect(charge).toMatchObject({ refunded: true, amount_refunded: total });
    await h.eventsDelivered();
    await h.expectBalanced(sessionId);
  });

  it('that Stripe holds pending is promised at once and moves the order only when refund.updated says it succeeded', async () => {
    const { sessionId, globex, paymentIntentId } = await placedCheckout('dash-3');
    await h.control('refunds/hold', {});
    const refund = await dashboardRefund(paymentIntentId, globex.totalCents);
    expect(refund.status).toBe('pending');
    expect(await orderOf(globex.orderNumber)).toMatchObject({ status: 'placed', refundedCents: globex.totalCents });
    expect((await refundTheRest(globex.orderNumber, 'dash-3-none')).status).toBe(422);
    await h.expectBalanced(sessionId);

    await h.control('refunds/settle', { outcome: 'succeeded' });
    await h.eventsDelivered();
    expect(await orderOf(globex.orderNumber)).toMatchObject({ status: 'refunded', refundedCents: globex.totalCents });
    expect((await ledgerFor(h, sessionId)).filter((row) => row.stripe_refund_id === refund.id)).toEqual([
      expect.objectContaining({ status: 'succeeded' }),
    ]);
    await h.expectBalanced(sessionId);
  });

  it('that fails at the card network gives the money back to the order', async () => {
    const { sessionId, acme, paymentIntentId } = await placedCheckout('dash-4');
    await h.control('refunds/hold', {});
    const refund = await dashboardRefund(paymentIntentId, acme.totalCents);
    await h.control('refunds/settle', { outcome: 'failed' });
    await h.eventsDelivered();
    expect((await ledgerFor(h, sessionId)).filter((row) => row.stripe_refund_id === refund.id)).toEqual([
      expect.objectContaining({ status: 'failed' }),
    ]);
    expect(await orderOf(acme.orderNumber)).toMatchObject({ status: 'placed', refundedCents: 0 });
    await h.expectBalanced(sessionId);
  });
});

describe('events about one Dashboard refund arriving at once', () => {
  it('record it once, whichever is applied first', async () => {
    const { sessionId, globex, paymentIntentId } = await placedCheckout('dash-5');
    // One order's whole total: applied twice, the second would find that order settled and spread it over the other.
    const refund = await h.control('dashboard/refunds', { paymentIntentId, amount: globex.totalCents });
    // Besides the sandbox's own deliveries: more events naming the same refund, signed as Stripe signs them, all at once.
    const signer = new Stripe('sk_test_unused').webhooks;
    const deliveries = ['refund.created', 'refund.updated', 'refund.created', 'charge.refunded'].map((type, i) => {
      const object =
        type === 'charge.refunded'
          ? { id: `ch_for_${refund.id}`, object: 'charge', payment_intent: paymentIntentId }
          : refund;
      const payload = JSON.stringify({
        id: `evt_race_${i}_${refund.id}`,
        object: 'event',
        type,
        api_version: '2025-09-30.clover',
        created: 1,
        data: { object },
      });
      return h.http
        .post('/api/v1/webhooks/stripe')
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', signer.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET }))
        .send(payload);
    });
    const answers = await Promise.all(deliveries);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    await h.eventsDelivered();
    const rows = (await ledgerFor(h, sessionId)).filter((row) => row.stripe_refund_id === refund.id);
    expect(rows).toEqual([expect.objectContaining({ amount_cents: globex.totalCents, attribution: 'whole_order' })]);
    await h.expectBalanced(sessionId);
  });
});

describe('refunds the service made itself', () => {
  it('are recognised when Stripe’s events about them arrive, and never recorded a second time', async () => {
    const { sessionId, acme } = await placedCheckout('own-1');
    const own = await h.http
      .post(`/api/v1/admin/orders/${acme.orderNumber}/refunds`)
      .set(admin)
      .set('Idempotency-Key', 'own-1-a')
      .send({ amountCents: 700, reason: 'late' })
      .expect(201);
    await h.eventsDelivered();
    const sent = (await h.control('events')).data.filter(
      (event: any) => event.event.data.object.id === own.body.data.refundId,
    );
    expect(sent.map((event: any) => event.event.type)).toEqual(['refund.created']);
    expect(sent[0].deliveries[0]).toMatchObject({ status: 'delivered' });
    const rows = (await ledgerFor(h, sessionId)).filter((row) => row.type !== 'charge');
    expect(rows).toEqual([
      expect.objectContaining({
        stripe_refund_id: own.body.data.refundId,
        amount_cents: 700,
        source: 'service',
        attribution: null,
      }),
    ]);
    expect(await orderOf(acme.orderNumber)).toMatchObject({ status: 'partially_refunded', refundedCents: 700 });
    await h.expectBalanced(sessionId);
  });
});
