import { startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';
import { ledgerFor, markPlacedAtRetailer, placeCheckout } from './support/order-fixtures';
import { bearer } from './support/tokens';
import { waitFor } from './support/wait-for';

let h: CheckoutHarness;
beforeAll(async () => {
  h = await startCheckoutHarness();
  await h.seedCatalog();
});
afterAll(() => h.close());

const admin = bearer('admin-1', 'admin');
const refund = (orderNumber: string, body: object, key: string, auth = admin) =>
  h.http.post(`/api/v1/admin/orders/${orderNumber}/refunds`).set(auth).set('Idempotency-Key', key).send(body);
const orderOf = async (orderNumber: string) =>
  (await h.http.get(`/api/v1/orders/${orderNumber}`).set(admin).expect(200)).body.data;

/** Charge − refunds = what the shopper still pays for. */
async function expectLedgerBalances(sessionId: string) {
  const rows = await ledgerFor(h, sessionId);
  const charged = rows
    .filter((r) => r.type === 'charge' && r.status === 'succeeded')
    .reduce((s, r) => s + r.amount_cents, 0);
  const refunded = rows
    .filter((r) => r.type !== 'charge' && r.status !== 'failed')
    .reduce((s, r) => s + r.amount_cents, 0);
  const orders = await h.database.db('orders').where({ checkout_session_id: sessionId });
  expect(charged).toBe(orders.reduce((s, o) => s + o.total_cents, 0));
  const kept = await Promise.all(
    orders.map(async (o) => o.total_cents - (await orderOf(o.order_number)).refundedCents),
  );
  expect(charged - refunded).toBe(kept.reduce((a, b) => a + b, 0));
}

describe('admin refunds', () => {
  it('refunds a whole placed order: the order is refunded and the ledger balances', async () => {
    const { sessionId, orderNumbers } = await placeCheckout(h, 'rf-1');
    await markPlacedAtRetailer(h, orderNumbers[1], 'GLOBEX-1');
    expect((await orderOf(orderNumbers[1])).items.map((item: { status: string }) => item.status)).toEqual(['placed']);
    const res = await refund(orderNumbers[1], { reason: 'customer returned it' }, 'rf-1-a').expect(201);
    const order = await orderOf(orderNumbers[1]);
    expect(order.items).toEqual([
      expect.objectContaining({ status: 'refunded', refundedQuantity: order.items[0].quantity }),
    ]);
    expect(res.body.data).toMatchObject({
      refundId: expect.stringMatching(/^re_/),
      amountCents: order.totalCents,
      status: 'succeeded',
    });
    expect(order).toMatchObject({ status: 'refunded', refundedCents: order.totalCents });
    await expectLedgerBalances(sessionId);

    const again = await refund(orderNumbers[1], { reason: 'asked twice' }, 'rf-1-b');
    expect(again.status).toBe(422);
    expect(again.body.error).toMatchObject({ code: 'refund_exceeds_captured', details: { refundableCents: 0 } });
  });

  it('moves the order only once the money has really gone back: a refund Stripe holds pending, then fails, leaves it placed', async () => {
    const { orderNumbers } = await placeCheckout(h, 'rf-8');
    await markPlacedAtRetailer(h, orderNumbers[0], 'ACME-8');
    await markPlacedAtRetailer(h, orderNumbers[1], 'GLOBEX-8');
    h.stripe.holdRefunds();
    const held = await refund(orderNumbers[0], { reason: 'returned' }, 'rf-8-a').expect(201);
    expect(held.body.data.status).toBe('pending');
    expect(await orderOf(orderNumbers[0])).toMatchObject({ status: 'placed' });
    h.stripe.settleHeldRefunds('failed');
    await h.app.services.refunds.resumePendingRefunds();
    expect(await orderOf(orderNumbers[0])).toMatchObject({ status: 'placed', refundedCents: 0 });

    h.stripe.holdRefunds();
    await refund(orderNumbers[1], { reason: 'returned' }, 'rf-8-b').expect(201);
    expect((await orderOf(orderNumbers[1])).status).toBe('placed');
    h.stripe.settleHeldRefunds('succeeded');
    await h.app.services.refunds.resumePendingRefunds();
    const refunded = await orderOf(orderNumbers[1]);
    expect(refunded).toMatchObject({ status: 'refunded', refundedCents: refunded.totalCents });
    expect(refunded.items.every((item: { status: string }) => item.status === 'refunded')).toBe(true);
  });

  it('refuses an amount together with items, naming the field', async () => {
    const { orderNumbers } = await placeCheckout(h, 'rf-5');
    await markPlacedAtRetailer(h, orderNumbers[0], 'ACME-5');
    const mug = (await orderOf(orderNumbers[0])).items[0];
    const res = await refund(
      orderNumbers[0],
      { amountCents: 100, items: [{ orderItemId: mug.orderItemId, quantity: 1 }], reason: 'both' },
      'rf-5-a',
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'validation_failed',
      details: { fields: { amountCents: expect.stringContaining('not both') } },
    });
    expect((await orderOf(orderNumbers[0])).refundedCents).toBe(0);
  });

  it('two refunds of one order at the same moment never return more than the order took', async () => {
    const { sessionId, orderNumbers } = await placeCheckout(h, 'rf-6');
    await markPlacedAtRetailer(h, orderNumbers[0], 'ACME-6');
    const { totalCents } = await orderOf(orderNumbers[0]);
    const share = Math.ceil(totalCents * 0.6);
    const refundsBefore = h.stripe.stats().refundsCreated;
    // Hold every refund just before it writes its ledger row, so all three have decided before any has written:
    // reads pass a SHARE lock, inserts wait for it.
    const gate = await h.database.db.transaction();
    await gate.raw('LOCK TABLE payment_transactions IN SHARE MODE');
    const pending = Promise.all(
      ['rf-6-a', 'rf-6-b', 'rf-6-c'].map((key) =>
        refund(orderNumbers[0], { amountCents: share, reason: 'goodwill' }, key),
      ),
    );
    await waitFor(
      async () => {
        const { rows } = await h.database.db.raw(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        return rows[0].n >= 3;
      },
      10_000,
      'three refunds waiting',
    );
    await gate.commit();
    const answers = await pending;
    expect(answers.map((res) => res.status).sort()).toEqual([201, 422, 422]);
    expect(answers.filter((res) => res.status === 422).map((res) => res.body.error.code)).toEqual([
      'refund_exceeds_captured',
      'refund_exceeds_captured',
    ]);
    expect(h.stripe.stats().refundsCreated - refundsBefore).toBe(1);
    expect(await orderOf(orderNumbers[0])).toMatchObject({ status: 'partially_refunded', refundedCents: share });
    await expectLedgerBalances(sessionId);
  });

  it('items a refund still pending at Stripe will return cannot be refunded a second time', async () => {
    const { sessionId, orderNumbers } = await placeCheckout(h, 'rf-7');
    await markPlacedAtRetailer(h, orderNumbers[0], 'ACME-7');
    const mug = (await orderOf(orderNumbers[0])).items[0]; // 2 mugs
    const bothMugs = { items: [{ orderItemId: mug.orderItemId, quantity: 2 }], reason: 'both chipped' };
    h.stripe.injectFaults({ count: 4, status: 500, path: '/v1/refunds' });
    const outage = await refund(orderNumbers[0], bothMugs, 'rf-7-a');
    expect(outage.status).toBeGreaterThanOrEqual(500);
    h.stripe.clearFaults();

    const second = await refund(
      orderNumbers[0],
      { items: [{ orderItemId: mug.orderItemId, quantity: 1 }], reason: 'one more' },
      'rf-7-b',
    );
    expect(second.status).toBe(422);
    expect(second.body.error.details.fields).toEqual({ 'items.0.quantity': 'at most 0 left to refund' });

    const retried = await refund(orderNumbers[0], bothMugs, 'rf-7-a').expect(201);
    expect(retried.body.data.status).toBe('succeeded');
    expect((await orderOf(orderNumbers[0])).items[0]).toMatchObject({ refundedQuantity: 2, status: 'refunded' });
    await expectLedgerBalances(sessionId);
  });

  it('refunds items at their price plus their share of tax, then refuses more than is left', async () => {
    const { sessionId, orderNumbers } = await placeCheckout(h, 'rf-2');
    await markPlacedAtRetailer(h, orderNumbers[0], 'ACME-2');
    const before = await orderOf(orderNumbers[0]); // 2 mugs at 1250, CA tax 181 on 2500
    const mug = before.items[0];
    const res = await refund(
      orderNumbers[0],
      { items: [{ orderItemId: mug.orderItemId, quantity: 1 }], reason: 'one mug chipped' },
      'rf-2-a',
    ).expect(201);
    expect(res.body.data.amountCents).toBe(1250 + 91); // 181 × 1250/2500 = 90.5 → 91
    const after = await orderOf(orderNumbers[0]);
    expect(after).toMatchObject({ status: 'partially_refunded', refundedCents: 1341 });
    expect(after.items[0]).toMatchObject({ refundedQuantity: 1, status: 'partially_refunded' });

    const tooMany = await refund(
      orderNumbers[0],
      { items: [{ orderItemId: mug.orderItemId, quantity: 2 }], reason: 'again' },
      'rf-2-b',
    );
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error).toMatchObject({
      code: 'refund_exceeds_captured',
      details: { fields: { 'items.0.quantity': 'at most 1 left to refund' } },
    });
    const tooMuch = await refund(orderNumbers[0], { amountCents: after.totalCents, reason: 'everything' }, 'rf-2-c');
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error.details).toMatchObject({ refundableCents: after.totalCents - 1341 });

    await refund(orderNumbers[0], { reason: 'the rest' }, 'rf-2-d').expect(201);
    expect(await orderOf(orderNumbers[0])).toMatchObject({ status: 'refunded', refundedCents: after.totalCents });
    await expectLedgerBalances(sessionId);
  });

  it('replays a refund for the same key, and refuses the key for another request', async () => {
    const { orderNumbers } = await placeCheckout(h, 'rf-3');
    await markPlacedAtRetailer(h, orderNumbers[0], 'ACME-3');
    const refundsBefore = h.stripe.stats().refundsCreated;
    const first = await refund(orderNumbers[0], { amountCents: 500, reason: 'late delivery' }, 'rf-3-a').expect(201);
    const again = await refund(orderNumbers[0], { amountCents: 500, reason: 'late delivery' }, 'rf-3-a').expect(201);
    expect(again.body).toEqual(first.body);
    expect(h.stripe.stats().refundsCreated - refundsBefore).toBe(1);
    const reused = await refund(orderNumbers[0], { amountCents: 600, reason: 'late delivery' }, 'rf-3-a');
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
  });

  it('needs the admin role and an unplaced order is cancelled rather than refunded', async () => {
    const { orderNumbers } = await placeCheckout(h, 'rf-4');
    expect((await refund(orderNumbers[0], { reason: 'x y z' }, 'k1', bearer('rf-4'))).status).toBe(403);
    expect((await refund(orderNumbers[0], { reason: 'x y z' }, 'k2', bearer('ops-1', 'ops'))).status).toBe(403);
    const pending = await refund(orderNumbers[0], { reason: 'x y z' }, 'k3');
    expect(pending.status).toBe(409);
    expect(pending.body.error.code).toBe('invalid_transition');
  });
});

describe('admin cancel', () => {
  it('cancels and refunds an unplaced order; the other order of the checkout is untouched', async () => {
    const { sessionId, orderNumbers } = await placeCheckout(h, 'cx-1');
    const res = await h.http
      .post(`/api/v1/admin/orders/${orderNumbers[0]}/cancel`)
      .set(admin)
      .send({ reason: 'shopper changed their mind' })
      .expect(200);
    expect(res.body.data.status).toBe('cancelled');
    const order = await orderOf(orderNumbers[0]);
    expect(order.refundedCents).toBe(order.totalCents);
    expect((await orderOf(orderNumbers[1])).status).toBe('pending');
    expect(
      await h.database
        .db('ops_tasks')
        .where({ kind: 'cancel_order' })
        .join('orders', 'orders.id', 'ops_tasks.order_id')
        .where('orders.order_number', orderNumbers[0]),
    ).toHaveLength(0);
    await expectLedgerBalances(sessionId);
  });

  it('cancels a placed order, refunds it and asks ops to cancel it at the retailer', async () => {
    const { orderNumbers } = await placeCheckout(h, 'cx-2');
    await markPlacedAtRetailer(h, orderNumbers[0], 'ACME-CX2');
    await h.http
      .post(`/api/v1/admin/orders/${orderNumbers[0]}/cancel`)
      .set(admin)
      .send({ reason: 'fraud suspected' })
      .expect(200);
    const tasks = await h.http.get('/api/v1/ops/tasks?status=open').set(bearer('ops-1', 'ops')).expect(200);
    const task = tasks.body.data.find((t: { orderNumber: string }) => t.orderNumber === orderNumbers[0]);
    expect(task).toMatchObject({
      kind: 'cancel_order',
      payload: expect.objectContaining({ storeOrderNumber: 'ACME-CX2' }),
    });
    await h.http
      .post(`/api/v1/ops/tasks/${task.taskId}/complete`)
      .set(bearer('ops-1', 'ops'))
      .send({ storeOrderNumber: 'ACME-CX2' })
      .expect(200);
    expect((await orderOf(orderNumbers[0])).status).toBe('cancelled');
  });

  it('refuses to cancel a shipped order', async () => {
    const { orderNumbers } = await placeCheckout(h, 'cx-3');
    await markPlacedAtRetailer(h, orderNumbers[0], 'ACME-CX3');
    await h.http
      .put(`/api/v1/orders/${orderNumbers[0]}/tracking`)
      .set(bearer('ops-1', 'ops'))
      .send({ trackingNumber: '1Z1', carrier: 'UPS' })
      .expect(200);
    const res = await h.http
      .post(`/api/v1/admin/orders/${orderNumbers[0]}/cancel`)
      .set(admin)
      .send({ reason: 'too late' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('invalid_transition');
  });
});
