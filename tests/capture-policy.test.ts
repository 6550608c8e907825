import { PLACED_STATUSES } from '../src/domain/order-status';
import { settleSessionFromOrders } from '../src/repositories/checkout-settlement-repository';
import { findOrderByNumber } from '../src/repositories/orders-repository';
import { CAPTURE_DEADLINE_MS } from '../src/services/capture-service';
import { transitionOrder } from '../src/services/order-state-machine';
import { startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';
import { ledgerFor, markPlacedAtRetailer, placeCheckout } from './support/order-fixtures';
import { bearer } from './support/tokens';

// Capture policy after_placement: the checkout is authorized at place and captures only what was placed, once
// every order is settled (or at the authorization's deadline). Placement runs are driven by hand, as a worker would.
let h: CheckoutHarness;
beforeAll(async () => {
  h = await startCheckoutHarness({ settings: { capturePolicy: 'after_placement' } });
  await h.seedCatalog();
});
afterAll(() => h.close());

const admin = bearer('admin-1', 'admin');
const ops = bearer('ops-1', 'ops');
const MINUTE = 60_000;

const orderRow = async (orderNumber: string) => (await findOrderByNumber(h.database.db, orderNumber))!;
const failOrder = async (orderNumber: string, reason = 'out of stock') =>
  h.app.services.placement.failOrder(await orderRow(orderNumber), reason);
const startPlacing = async (orderNumber: string) =>
  transitionOrder(
    { db: h.database.db, clock: h.clock },
    await orderRow(orderNumber),
    'placing',
    'test: worker picked it up',
  );
const intentOf = (paymentIntentId: string) =>
  h.stripe.paymentIntents().find((intent) => intent.id === paymentIntentId)!;
const paymentIntentOf = async (sessionId: string) =>
  (await h.database.db('checkout_sessions').where({ id: sessionId }).first()).payment_intent_id as string;
const totalOf = async (orderNumber: string) => (await orderRow(orderNumber)).totalCents;
const sweep = () => h.app.services.captures.captureDue();
const refund = (orderNumber: string, key: string) =>
  h.http
    .post(`/api/v1/admin/orders/${orderNumber}/refunds`)
    .set(admin)
    .set('Idempotency-Key', key)
    .send({ reason: 'customer asked' });

/** Money taken (charge + captures) less refunds = the orders the shopper keeps, less what was refunded of them. */
async function expectLedgerBalances(sessionId: string) {
  const rows = await ledgerFor(h, sessionId);
  const sum = (match: (row: (typeof rows)[number]) => boolean) =>
    rows.filter(match).reduce((total, row) => total + row.amount_cents, 0);
  const taken = sum((row) => ['charge', 'capture'].includes(row.type) && row.status === 'succeeded');
  const refunded = sum((row) => ['refund', 'partial_refund'].includes(row.type) && row.status === 'succeeded');
  const orders = await h.database.db('orders').where({ checkout_session_id: sessionId });
  const kept = orders
    .filter((order) => !['failed', 'cancelled', 'refunded'].includes(order.status))
    .reduce(
      (total, order) =>
        total +
        order.total_cents -
        sum((row) => row.order_id === order.id && row.type === 'partial_refund' && row.status === 'succeeded'),
      0,
    );
  expect(taken - refunded).toBe(kept);
  const intent = intentOf(await paymentIntentOf(sessionId));
  expect(intent.amount_received).toBe(taken);
}

describe('authorize at place, capture what was placed', () => {
  it('answers place with nothing charged yet and the total authorized, on a replay too', async () => {
    const sessionId = await h.sessionReadyToPlace('cap-0');
    const place = () =>
      h.http.post(`/api/v1/checkout/sessions/${sessionId}/place`).set(bearer('cap-0')).set('Idempotency-Key', 'cap-0');
    const first = await place().expect(201);
    const { total_cents: total } = await h.database.db('checkout_sessions').where({ id: sessionId }).first();
    expect(first.body.data).toMatchObject({ chargedCents: 0, authorizedCents: total });
    const replay = await place().expect(201);
    expect(replay.body.data).toMatchObject({ chargedCents: 0, authorizedCents: total });
    // Leave no authorization behind for the deadline tests below: nothing is placed, so it is released.
    for (const order of first.body.data.orders) await failOrder(order.orderNumber);
    expect(intentOf(first.body.data.paymentIntentId).status).toBe('canceled');
  });

  it('when one order is placed and the other fails, then the checkout captures exactly the placed order and refunds nothing', async () => {
    const before = h.stripe.stats();
    const { sessionId, orderNumbers } = await placeCheckout(h, 'cap-1');
    const paymentIntentId = await paymentIntentOf(sessionId);
    expect(intentOf(paymentIntentId)).toMatchObject({
      status: 'requires_capture',
      capture_method: 'manual',
      amount_received: 0,
    });
    const atPlace = await ledgerFor(h, sessionId);
    expect(atPlace).toEqual([
      expect.objectContaining({
        type: 'authorization',
        status: 'succeeded',
        stripe_payment_intent_id: paymentIntentId,
      }),
    ]);

    await markPlacedAtRetailer(h, orderNumbers[0], 'ACME-1');
    expect(intentOf(paymentIntentId).status).toBe('requires_capture');
    await failOrder(orderNumbers[1]);

    const placedTotal = await totalOf(orderNumbers[0]);
    const ledger = await ledgerFor(h, sessionId);
    expect(ledger.map((row) => row.type)).toEqual(['authorization', 'capture']);
    expect(ledger[1]).toMatchObject({
      status: 'succeeded',
      amount_cents: placedTotal,
      idempotency_key: `${sessionId}:capture`,
    });
    expect(intentOf(paymentIntentId)).toMatchObject({ status: 'succeeded', amount_received: placedTotal });
    expect(h.stripe.stats()).toMatchObject({ captures: before.captures + 1, refundsCreated: before.refundsCreated });
    const failed = await h.http.get(`/api/v1/orders/${orderNumbers[1]}`).set(admin).expect(200);
    expect(failed.body.data).toMatchObject({ status: 'failed', refundedCents: 0 });
    expect(
      (await h.http.get(`/api/v1/checkout/sessions/${sessionId}`).set(bearer('cap-1')).expect(200)).body.data.status,
    ).toBe('partially_failed');
    await expectLedgerBalances(sessionId);

    // Settled again later (nothing changes) or swept: never a second capture.
    await h.app.services.settlement.settleSession(sessionId);
    await sweep();
    expect(h.stripe.stats().captures).toBe(before.captures + 1);
  });

  it('when every order fails, then the authorization is released and nothing is taken', async () => {
    const before = h.stripe.stats();
    const { sessionId, orderNumbers } = await placeCheckout(h, 'cap-2');
    await failOrder(orderNumbers[0]);
    await failOrder(orderNumbers[1]);

    const paymentIntentId = await paymentIntentOf(sessionId);
    expect(intentOf(paymentIntentId)).toMatchObject({ status: 'canceled', amount_received: 0 });
    const ledger = await ledgerFor(h, sessionId);
    expect(ledger.map((row) => [row.type, row.status])).toEqual([
      ['authorization', 'succeeded'],
      ['void', 'succeeded'],
    ]);
    expect(h.stripe.stats()).toMatchObject({
      captures: before.captures,
      cancels: before.cancels + 1,
      refundsCreated: before.refundsCreated,
    });
    await expectLedgerBalances(sessionId);
  });

  it('when the process dies between the settle and the capture, then the sweep captures once', async () => {
    const before = h.stripe.stats();
    const { sessionId, orderNumbers } = await placeCheckout(h, 'cap-3');
    // Both orders are placed and the checkout settled, as a worker would, and then the process is gone.
    for (const [index, orderNumber] of orderNumbers.entries()) {
      const placing = await startPlacing(orderNumber);
      await transitionOrder({ db: h.database.db, clock: h.clock }, placing, 'placed', 'test: retailer accepted', {
        storeOrderNumber: `CRASH-${index}`,
      });
    }
    const rule = {
      settled: [...PLACED_STATUSES, 'failed', 'cancelled', 'refunded', 'partially_refunded'],
      failed: ['failed', 'cancelled'],
    };
    expect(await settleSessionFromOrders(h.database.db, sessionId, rule, h.clock.now())).toBe(true);
    const paymentIntentId = await paymentIntentOf(sessionId);

    // A capture a moment after the settle may still be on its way; a minute later it was lost.
    await sweep();
    expect(intentOf(paymentIntentId).status).toBe('requires_capture');
    h.clock.advance(2 * MINUTE);
    await sweep();
    await sweep();

    const total = (await totalOf(orderNumbers[0])) + (await totalOf(orderNumbers[1]));
    expect(intentOf(paymentIntentId)).toMatchObject({ status: 'succeeded', amount_received: total });
    expect(h.stripe.stats().captures).toBe(before.captures + 1);
    expect((await ledgerFor(h, sessionId)).filter((row) => row.type === 'capture')).toEqual([
      expect.objectContaining({ status: 'succeeded', amount_cents: total }),
    ]);
    await expectLedgerBalances(sessionId);
  });

  it('when Stripe captures but the answer is lost, then the pending capture is carried out again with its key, capturing once', async () => {
    const before = h.stripe.stats();
    const { sessionId, orderNumbers } = await placeCheckout(h, 'cap-4');
    const paymentIntentId = await paymentIntentOf(sessionId);
    await markPlacedAtRetailer(h, orderNumbers[0], 'ACME-4');
    // The capture goes through at Stripe; the answer (and stripe-node's one retry) is a 500.
    h.stripe.injectFaults({
      count: 2,
      status: 500,
      afterCommit: true,
      path: `/v1/payment_intents/${paymentIntentId}/capture`,
    });
    await failOrder(orderNumbers[1]);
    h.stripe.clearFaults();
    expect((await ledgerFor(h, sessionId)).find((row) => row.type === 'capture')).toMatchObject({ status: 'pending' });

    h.clock.advance(2 * MINUTE);
    expect(await sweep()).toBeGreaterThanOrEqual(1);
    const placedTotal = await totalOf(orderNumbers[0]);
    expect((await ledgerFor(h, sessionId)).find((row) => row.type === 'capture')).toMatchObject({
      status: 'succeeded',
      amount_cents: placedTotal,
    });
    expect(intentOf(paymentIntentId).amount_received).toBe(placedTotal);
    expect(h.stripe.stats().captures).toBe(before.captures + 1);
    await expectLedgerBalances(sessionId);
  });

  it('when an order of a capture still pending at Stripe is cancelled, then its refund waits for the capture and then goes through', async () => {
    const { sessionId, orderNumbers } = await placeCheckout(h, 'cap-5');
    const paymentIntentId = await paymentIntentOf(sessionId);
    await markPlacedAtRetailer(h, orderNumbers[0], 'ACME-5');
    h.stripe.injectFaults({ count: 2, status: 503, path: `/v1/payment_intents/${paymentIntentId}/capture` });
    await failOrder(orderNumbers[1]);
    h.stripe.clearFaults();
    expect(intentOf(paymentIntentId).status).toBe('requires_capture');

    const before = h.stripe.stats();
    await h.http
      .post(`/api/v1/admin/orders/${orderNumbers[0]}/cancel`)
      .set(admin)
      .send({ reason: 'shopper changed their mind' })
      .expect(200);
    const held = (await ledgerFor(h, sessionId)).find((row) => row.type === 'refund');
    expect(held).toMatchObject({ status: 'pending', stripe_refund_id: null });
    expect(h.stripe.stats().refundsCreated).toBe(before.refundsCreated);

    h.clock.advance(2 * MINUTE);
    await sweep();
    await h.app.services.refunds.resumePendingRefunds();
    const placedTotal = await totalOf(orderNumbers[0]);
    const ledger = await ledgerFor(h, sessionId);
    expect(ledger.find((row) => row.type === 'capture')).toMatchObject({
      status: 'succeeded',
      amount_cents: placedTotal,
    });
    expect(ledger.find((row) => row.type === 'refund')).toMatchObject({
      status: 'succeeded',
      amount_cents: placedTotal,
    });
    expect(h.stripe.stats().refundsCreated).toBe(before.refundsCreated + 1);
    await expectLedgerBalances(sessionId);
  });
});

describe('admin and ops before and after the capture', () => {
  it('before the capture, a refund is refused and a cancel owes nothing; the capture then leaves the cancelled order out', async () => {
    const before = h.stripe.stats();
    const { sessionId, orderNumbers } = await placeCheckout(h, 'cap-6');
    await markPlacedAtRetailer(h, orderNumbers[0], 'ACME-6');

    const refused = await refund(orderNumbers[0], 'cap-6-a');
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'payment_not_captured',
      message: expect.stringContaining('cancel the order instead'),
    });

    const cancelled = await h.http
      .post(`/api/v1/admin/orders/${orderNumbers[1]}/cancel`)
      .set(admin)
      .send({ reason: 'shopper asked' })
      .expect(200);
    expect(cancelled.body.data.status).toBe('cancelled');
    const ledger = await ledgerFor(h, sessionId);
    expect(ledger.filter((row) => row.type === 'refund' || row.type === 'partial_refund')).toEqual([]);
    const placedTotal = await totalOf(orderNumbers[0]);
    expect(ledger.find((row) => row.type === 'capture')).toMatchObject({
      status: 'succeeded',
      amount_cents: placedTotal,
    });
    expect(h.stripe.stats().refundsCreated).toBe(before.refundsCreated);

    // Captured now: the placed order is refunded as usual.
    const refunded = await refund(orderNumbers[0], 'cap-6-b').expect(201);
    expect(refunded.body.data).toMatchObject({ status: 'succeeded', amountCents: placedTotal });
    await expectLedgerBalances(sessionId);
  });

  it('after the capture, the order it left out can neither be refunded nor placed again: its money was never taken', async () => {
    const { sessionId, orderNumbers } = await placeCheckout(h, 'cap-7');
    await markPlacedAtRetailer(h, orderNumbers[0], 'ACME-7');
    await failOrder(orderNumbers[1]);
    expect((await ledgerFor(h, sessionId)).find((row) => row.type === 'capture')).toMatchObject({
      status: 'succeeded',
    });

    const refused = await refund(orderNumbers[1], 'cap-7-a');
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('payment_not_captured');
    const retried = await h.http.post(`/api/v1/ops/orders/${orderNumbers[1]}/retry`).set(ops).send({});
    expect(retried.status).toBe(409);
    expect(retried.body.error.code).toBe('payment_not_captured');
    expect((await orderRow(orderNumbers[1])).status).toBe('failed');
    await expectLedgerBalances(sessionId);
  });

  it('before the capture, an ops retry of a failed order is allowed and the order is then captured with the rest', async () => {
    const { sessionId, orderNumbers } = await placeCheckout(h, 'cap-8');
    await failOrder(orderNumbers[1]);
    await h.http.post(`/api/v1/ops/orders/${orderNumbers[1]}/retry`).set(ops).send({}).expect(202);
    await markPlacedAtRetailer(h, orderNumbers[0], 'ACME-8');
    expect((await ledgerFor(h, sessionId)).some((row) => row.type === 'capture')).toBe(false);

    await h.app.services.placement.markPlaced(await orderRow(orderNumbers[1]), 'GLOBEX-8', 'test: placed on retry');
    const total = (await totalOf(orderNumbers[0])) + (await totalOf(orderNumbers[1]));
    expect((await ledgerFor(h, sessionId)).find((row) => row.type === 'capture')).toMatchObject({
      status: 'succeeded',
      amount_cents: total,
    });
    await expectLedgerBalances(sessionId);
  });
});

describe('authorizations that wait', () => {
  it('when the shopper authorizes by 3-D Secure and never comes back, then the session is placed with that authorization', async () => {
    const sessionId = await h.sessionReadyToPlace('cap-9', 'pm_card_authenticationRequired');
    const asked = await h.http
      .post(`/api/v1/checkout/sessions/${sessionId}/place`)
      .set(bearer('cap-9'))
      .set('Idempotency-Key', 'cap-9')
      .expect(402);
    const paymentIntentId = asked.body.error.details.paymentIntentId as string;
    h.stripe.authenticate(paymentIntentId);
    expect(intentOf(paymentIntentId).status).toBe('requires_capture');

    h.clock.advance(31 * MINUTE);
    expect(await h.app.services.placeCheckout.recoverAbandonedPayments()).toBe(1);
    const session = (await h.http.get(`/api/v1/checkout/sessions/${sessionId}`).set(bearer('cap-9')).expect(200)).body
      .data;
    expect(session).toMatchObject({ status: 'placed', paymentIntentId });
    expect(await ledgerFor(h, sessionId)).toEqual([
      expect.objectContaining({ type: 'authorization', status: 'succeeded' }),
    ]);

    for (const order of session.orders) await failOrder(order.orderNumber);
    expect(intentOf(paymentIntentId).status).toBe('canceled');
  });

  it('when orders are still being placed at the deadline, then everything not failed is captured and an order failing later is refunded', async () => {
    const before = h.stripe.stats();
    const { sessionId, orderNumbers } = await placeCheckout(h, 'cap-10');
    const paymentIntentId = await paymentIntentOf(sessionId);
    await markPlacedAtRetailer(h, orderNumbers[0], 'ACME-10');
    await startPlacing(orderNumbers[1]);

    // Before the deadline a checkout with an order still being placed waits for it.
    h.clock.advance(CAPTURE_DEADLINE_MS - MINUTE);
    await sweep();
    expect(intentOf(paymentIntentId).status).toBe('requires_capture');

    h.clock.advance(2 * MINUTE);
    await sweep();
    const total = (await totalOf(orderNumbers[0])) + (await totalOf(orderNumbers[1]));
    expect(intentOf(paymentIntentId)).toMatchObject({ status: 'succeeded', amount_received: total });
    expect((await ledgerFor(h, sessionId)).find((row) => row.type === 'capture')).toMatchObject({
      status: 'succeeded',
      amount_cents: total,
    });

    await failOrder(orderNumbers[1], 'retailer gave up');
    const failedTotal = await totalOf(orderNumbers[1]);
    const ledger = await ledgerFor(h, sessionId);
    expect(ledger.filter((row) => row.type === 'refund')).toEqual([
      expect.objectContaining({ status: 'succeeded', amount_cents: failedTotal }),
    ]);
    expect(h.stripe.stats()).toMatchObject({
      captures: before.captures + 1,
      refundsCreated: before.refundsCreated + 1,
    });
    expect((await h.http.get(`/api/v1/orders/${orderNumbers[1]}`).set(admin).expect(200)).body.data).toMatchObject({
      status: 'failed',
      refundedCents: failedTotal,
    });
    await expectLedgerBalances(sessionId);
  });
});
