import {
  ops,
  startPlacementHarness,
  waitFor,
  ADDRESS,
  type Checkout,
  type PlacementHarness,
} from './support/placement-harness';
import { bearer } from './support/tokens';

let h: PlacementHarness;
beforeAll(async () => {
  h = await startPlacementHarness({ attempts: 4 });
}, 60_000);
afterAll(() => h?.close());

/** Waits until the order failed and its money is back, then checks the refund is exactly that order's total. */
async function expectFailedAndRefunded(checkout: Checkout, storeName: string, refundsBefore: number) {
  const { orderNumber, totalCents } = checkout.orderOf(storeName);
  const order = await h.waitForOrder(orderNumber, (o) => o.status === 'failed' && o.refundedCents === totalCents);
  const [{ id: orderId }] = await h.database.db('orders').where({ order_number: orderNumber }).select('id');
  // refundedCents counts a refund from the moment it is promised; the ledger row settles once Stripe answers.
  const refunds = await waitFor(
    async () => {
      const rows = (await h.ledger(checkout.sessionId)).filter(
        (tx) => tx.type === 'refund' || tx.type === 'partial_refund',
      );
      return rows.length > 0 && rows.every((tx) => tx.status !== 'pending') && rows;
    },
    10_000,
    'refund settled',
  );
  expect(refunds).toEqual([
    expect.objectContaining({
      order_id: orderId,
      type: 'refund',
      amount_cents: totalCents,
      status: 'succeeded',
      stripe_refund_id: expect.stringMatching(/^re_/),
    }),
  ]);
  expect(h.stripe.stats().refundsCreated - refundsBefore).toBe(1);
  expect(order.statusHistory.map((e: { toStatus: string }) => e.toStatus)).toEqual(['pending', 'placing', 'failed']);
  return order;
}

/** What the shopper paid less what came back equals what they still get: the orders that did not fail. */
async function expectLedgerBalances(checkout: Checkout) {
  const orders = await h.database.db('orders').where({ checkout_session_id: checkout.sessionId });
  const ledger = await h.ledger(checkout.sessionId);
  const sum = (types: string[]) =>
    ledger
      .filter((tx) => types.includes(tx.type) && tx.status === 'succeeded')
      .reduce((total, tx) => total + tx.amount_cents, 0);
  const kept = orders.filter((o) => o.status !== 'failed').reduce((total, o) => total + o.total_cents, 0);
  expect(sum(['charge']) - sum(['refund', 'partial_refund'])).toBe(kept);
}

describe('when an order cannot be placed', () => {
  it('when a retailer refuses the order, then only that order fails and exactly its total is refunded', async () => {
    const good = await h.createApiStore('refuse-good');
    const refusing = await h.createApiStore('refuse-zip', { retailer: { rejectedZips: [ADDRESS.zip] } });
    const refundsBefore = h.stripe.stats().refundsCreated;
    const checkout = await h.checkout('refuse-shopper', [
      { storeSlug: good.slug, sku: 'MUG' },
      { storeSlug: refusing.slug, sku: 'LANTERN', quantity: 2 },
    ]);

    const failed = await expectFailedAndRefunded(checkout, refusing.name, refundsBefore);
    expect(failed.failureReason).toMatch(/address_rejected/);
    expect(failed.statusHistory.at(-1).reason).toMatch(/address_rejected/);
    expect(await h.waitForStatus(checkout.orderOf(good.name).orderNumber, 'placed')).toMatchObject({
      refundedCents: 0,
    });
    expect((await h.attemptsOf(failed.orderNumber)).map((a) => a.outcome)).toEqual(['permanent_error']);
    await waitFor(
      async () => (await h.session('refuse-shopper', checkout.sessionId)).status === 'partially_failed',
      10_000,
      'session outcome',
    );
    await expectLedgerBalances(checkout);
  });

  it('when a retailer keeps failing until the retries run out, then that order fails and is refunded, the other is placed', async () => {
    const good = await h.createApiStore('down-good');
    const down = await h.createApiStore('down-500');
    h.simulator.injectFaults(down.slug, { kind: 'status_500', count: 100 });
    const refundsBefore = h.stripe.stats().refundsCreated;
    const checkout = await h.checkout('down-shopper', [
      { storeSlug: good.slug, sku: 'LANTERN' },
      { storeSlug: down.slug, sku: 'MUG' },
    ]);

    const failed = await expectFailedAndRefunded(checkout, down.name, refundsBefore);
    expect(failed.failureReason).toMatch(/retries exhausted.*500/);
    expect((await h.attemptsOf(failed.orderNumber)).map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'transient_error'],
      [2, 'transient_error'],
      [3, 'transient_error'],
      [4, 'transient_error'],
    ]);
    expect(h.simulator.stats(down.slug).orderCreations).toBe(0);
    await h.waitForStatus(checkout.orderOf(good.name).orderNumber, 'placed');
    await waitFor(
      async () => (await h.session('down-shopper', checkout.sessionId)).status === 'partially_failed',
      10_000,
      'session outcome',
    );
    await expectLedgerBalances(checkout);
  });

  it('when ops cannot buy a manual order, then failing its task fails the order and refunds it', async () => {
    const good = await h.createApiStore('opsfail-good');
    const manual = await h.createManualStore('opsfail-manual');
    const refundsBefore = h.stripe.stats().refundsCreated;
    const checkout = await h.checkout('opsfail-shopper', [
      { storeSlug: good.slug, sku: 'MUG' },
      { storeSlug: manual.slug, sku: 'LANTERN' },
    ]);
    const task = await waitFor(() => h.liveTaskOf(checkout.orderOf(manual.name).orderNumber), 10_000, 'manual task');

    await h.http.post(`/api/v1/ops/tasks/${task.taskId}/claim`).set(ops).expect(200);
    const res = await h.http
      .post(`/api/v1/ops/tasks/${task.taskId}/fail`)
      .set(ops)
      .send({ reason: 'sold out on the retailer site' })
      .expect(200);
    expect(res.body.data).toMatchObject({ status: 'failed', failureReason: 'sold out on the retailer site' });

    const failed = await expectFailedAndRefunded(checkout, manual.name, refundsBefore);
    expect(failed.failureReason).toMatch(/sold out on the retailer site/);
    await h.waitForStatus(checkout.orderOf(good.name).orderNumber, 'placed');
    expect((await h.session('opsfail-shopper', checkout.sessionId)).status).toBe('partially_failed');
    await expectLedgerBalances(checkout);
  });

  it('when Stripe is down as an order fails, then the refund is finished on the next run and the checkout still settles', async () => {
    const refusing = await h.createApiStore('stripe-down-zip', { retailer: { rejectedZips: [ADDRESS.zip] } });
    h.stripe.injectFaults({ count: 1, status: 503, path: '/v1/refunds' });
    const refundsBefore = h.stripe.stats().refundsCreated;
    const checkout = await h.checkout('stripe-down-shopper', [{ storeSlug: refusing.slug, sku: 'MUG' }]);

    await expectFailedAndRefunded(checkout, refusing.name, refundsBefore);
    await waitFor(
      async () => (await h.session('stripe-down-shopper', checkout.sessionId)).status === 'failed',
      10_000,
      'session outcome',
    );
    await expectLedgerBalances(checkout);
  });
});

describe('ops', () => {
  it('lists failed orders, refuses to retry one that was refunded, and retries one whose refund failed until it is placed', async () => {
    const store = await h.createApiStore('retry-store');
    h.simulator.injectFaults(store.slug, { kind: 'reject', code: 'out_of_stock', count: 2 });
    const refunded = await h.checkout('retry-shopper', [{ storeSlug: store.slug, sku: 'MUG' }]);
    const unrefunded = await h.checkout('retry-shopper', [{ storeSlug: store.slug, sku: 'LANTERN' }]);
    for (const checkout of [refunded, unrefunded]) {
      await h.waitForOrder(checkout.orders[0]!.orderNumber, (o) => o.status === 'failed' && o.refundedCents > 0);
    }
    // Stripe may report a refund as failed later (e.g. the card account was closed); the money is then still ours.
    const [{ id: unrefundedId }] = await h.database
      .db('orders')
      .where({ order_number: unrefunded.orders[0]!.orderNumber });
    await h.database
      .db('payment_transactions')
      .where({ order_id: unrefundedId, type: 'refund' })
      .update({ status: 'failed', failure_code: 'expired_or_canceled_card' });

    const listed = await h.http.get('/api/v1/ops/orders').query({ status: 'failed', limit: 100 }).set(ops).expect(200);
    const listedNumbers = listed.body.data.map((o: { orderNumber: string }) => o.orderNumber);
    expect(listedNumbers).toEqual(
      expect.arrayContaining([refunded.orders[0]!.orderNumber, unrefunded.orders[0]!.orderNumber]),
    );
    expect(listed.body.data.every((o: { status: string }) => o.status === 'failed')).toBe(true);

    const refused = await h.http.post(`/api/v1/ops/orders/${refunded.orders[0]!.orderNumber}/retry`).set(ops).send({});
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'invalid_transition',
      details: { refundedCents: refunded.orders[0]!.totalCents },
    });
    expect((await h.order(refunded.orders[0]!.orderNumber)).status).toBe('failed');

    const noConfig = await h.http
      .post(`/api/v1/ops/orders/${unrefunded.orders[0]!.orderNumber}/retry`)
      .set(ops)
      .send({ placementMethod: 'headless' });
    expect(noConfig.status).toBe(400);
    expect(noConfig.body.error.code).toBe('validation_failed');

    const retried = await h.http
      .post(`/api/v1/ops/orders/${unrefunded.orders[0]!.orderNumber}/retry`)
      .set(ops)
      .send({})
      .expect(202);
    expect(retried.body.data).toMatchObject({ status: 'placing', placementMethod: 'api' });
    const placed = await h.waitForStatus(unrefunded.orders[0]!.orderNumber, 'placed');
    expect(placed.statusHistory.map((e: { toStatus: string }) => e.toStatus)).toEqual([
      'pending',
      'placing',
      'failed',
      'placing',
      'placed',
    ]);
    expect(placed.statusHistory[3].reason).toMatch(/retry requested by ops-1/);
    expect(h.simulator.orders(store.slug)).toEqual([
      expect.objectContaining({ externalReference: placed.orderNumber }),
    ]);
    expect((await h.session('retry-shopper', unrefunded.sessionId)).status).toBe('completed');

    const again = await h.http.post(`/api/v1/ops/orders/${placed.orderNumber}/retry`).set(ops).send({});
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('invalid_transition');
  });

  it('when a refund Stripe reported failed is followed by a retry that fails again, then Stripe is asked again under a new key', async () => {
    const store = await h.createApiStore('refail-store');
    h.simulator.injectFaults(store.slug, { kind: 'reject', code: 'out_of_stock', count: 2 });
    const checkout = await h.checkout('refail-shopper', [{ storeSlug: store.slug, sku: 'MUG' }]);
    const { orderNumber, totalCents } = checkout.orders[0]!;
    await h.waitForOrder(orderNumber, (o) => o.status === 'failed' && o.refundedCents === totalCents);
    const [{ id: orderId }] = await h.database.db('orders').where({ order_number: orderNumber });
    await waitFor(
      async () =>
        (await h.database.db('payment_transactions').where({ order_id: orderId, status: 'succeeded' })).length === 1,
      10_000,
      'refund settled',
    );
    await h.database
      .db('payment_transactions')
      .where({ order_id: orderId, type: 'refund' })
      .update({ status: 'failed', failure_code: 'expired_or_canceled_card' });

    await h.http.post(`/api/v1/ops/orders/${orderNumber}/retry`).set(ops).send({}).expect(202);
    const refundsBefore = h.stripe.stats().refundsCreated;
    const failedAgain = await h.waitForOrder(orderNumber, (o) => o.status === 'failed' && o.statusHistory.length === 5);
    expect(failedAgain.statusHistory.map((e: { toStatus: string }) => e.toStatus)).toEqual([
      'pending',
      'placing',
      'failed',
      'placing',
      'failed',
    ]);
    const rows = await waitFor(
      async () => {
        const refunds = await h.database
          .db('payment_transactions')
          .where({ order_id: orderId })
          .whereIn('type', ['refund', 'partial_refund'])
          .orderBy('created_at');
        return refunds.length === 2 && refunds[1].status !== 'pending' && refunds;
      },
      10_000,
      'second refund settled',
    );
    // The sandbox did refund the first time (only our ledger says otherwise), so Stripe refuses the second ask:
    // the refusal is recorded as the row's outcome instead of being retried forever.
    expect(rows.map((r) => [r.status, r.amount_cents, r.idempotency_key])).toEqual([
      ['failed', totalCents, `${orderNumber}:refund:placement-failed:0`],
      ['failed', totalCents, `${orderNumber}:refund:placement-failed:1`],
    ]);
    expect(rows[1].failure_code).toBe('charge_already_refunded');
    expect(h.stripe.stats().refundsCreated - refundsBefore).toBe(0);
  });

  it('when ops send an order waiting for them back to the retailer API, then its open task is withdrawn and the order is placed once', async () => {
    const store = await h.createApiStore('retry-restock', { fallbackMethod: 'manual' });
    h.simulator.setStock(store.slug, 'MUG', 0);
    const checkout = await h.checkout('restock-shopper', [{ storeSlug: store.slug, sku: 'MUG' }]);
    const { orderNumber } = checkout.orders[0]!;
    const task = await waitFor(() => h.liveTaskOf(orderNumber), 10_000, 'fallback task');

    h.simulator.setStock(store.slug, 'MUG', 10);
    await h.http.post(`/api/v1/ops/orders/${orderNumber}/retry`).set(ops).send({ placementMethod: 'api' }).expect(202);
    expect(await h.waitForStatus(orderNumber, 'placed')).toMatchObject({ placementMethod: 'api' });

    // Nobody may buy it a second time by hand from a task left over from before the retry.
    expect(await h.liveTaskOf(orderNumber)).toBeUndefined();
    expect((await h.http.get(`/api/v1/ops/tasks/${task.taskId}`).set(ops).expect(200)).body.data.status).toBe(
      'cancelled',
    );
    expect((await h.http.post(`/api/v1/ops/tasks/${task.taskId}/claim`).set(ops)).body.error.code).toBe(
      'task_not_open',
    );
    expect(h.simulator.stats(store.slug).orderCreations).toBe(1);
  });

  it('when someone is working on an order by hand, then ops cannot send it back to the retailer API', async () => {
    const store = await h.createApiStore('retry-claimed', { fallbackMethod: 'manual' });
    h.simulator.setStock(store.slug, 'MUG', 0);
    const checkout = await h.checkout('claimed-shopper', [{ storeSlug: store.slug, sku: 'MUG' }]);
    const { orderNumber } = checkout.orders[0]!;
    const task = await waitFor(() => h.liveTaskOf(orderNumber), 10_000, 'fallback task');
    await h.http.post(`/api/v1/ops/tasks/${task.taskId}/claim`).set(bearer('ops-2', 'ops')).expect(200);

    const res = await h.http.post(`/api/v1/ops/orders/${orderNumber}/retry`).set(ops).send({ placementMethod: 'api' });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({
      code: 'task_not_open',
      details: { taskId: task.taskId, claimedBy: 'ops-2' },
    });
    expect(await h.order(orderNumber)).toMatchObject({ status: 'placing', placementMethod: 'manual' });
    expect((await h.liveTaskOf(orderNumber)).status).toBe('claimed');
  });

  it('keeps shoppers out of the ops API', async () => {
    const shopper = bearer('nosy-shopper');
    for (const request of [
      h.http.get('/api/v1/ops/tasks').set(shopper),
      h.http.get('/api/v1/ops/orders').query({ status: 'failed' }).set(shopper),
      h.http.post('/api/v1/ops/orders/MO-0000000000/retry').set(shopper).send({}),
    ]) {
      const res = await request;
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    expect((await h.http.get('/api/v1/ops/tasks')).status).toBe(401);
  });
});
