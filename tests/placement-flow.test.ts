import { applyBasisPoints } from '../src/domain/money';
import {
  ADDRESS,
  TAX_BASIS_POINTS,
  ops,
  startPlacementHarness,
  waitFor,
  type PlacementHarness,
} from './support/placement-harness';
import { bearer } from './support/tokens';

let h: PlacementHarness;
beforeAll(async () => {
  h = await startPlacementHarness();
}, 60_000);
afterAll(() => h?.close());

const statuses = (order: { statusHistory: { toStatus: string }[] }) =>
  order.statusHistory.map((entry) => entry.toStatus);

describe('placing one checkout at several retailers', () => {
  it('when a checkout spans an api, a headless and a manual store, then each is bought its own way and the session completes', async () => {
    const api = await h.createApiStore('mix-api');
    const headless = await h.createHeadlessStore('mix-headless');
    const manual = await h.createManualStore('mix-manual');
    const checkout = await h.checkout('mix-shopper', [
      { storeSlug: api.slug, sku: 'MUG', quantity: 2 },
      { storeSlug: headless.slug, sku: 'TEE-ORG', size: 'M', color: 'navy' },
      { storeSlug: manual.slug, sku: 'LANTERN', quantity: 3, size: 'XL', color: 'red' },
    ]);
    expect(checkout.orders.map((order) => order.placementMethod).sort()).toEqual(['api', 'headless', 'manual']);

    const apiOrder = await h.waitForStatus(checkout.orderOf(api.name).orderNumber, 'placed');
    const retailerOrders = h.simulator.orders(api.slug);
    expect(retailerOrders).toHaveLength(1);
    expect(retailerOrders[0]).toMatchObject({
      externalReference: apiOrder.orderNumber,
      items: [expect.objectContaining({ sku: 'MUG', quantity: 2 })],
    });
    expect(apiOrder.storeOrderNumber).toBe(retailerOrders[0]!.orderNumber);
    expect(apiOrder.retailerTotalCents).toBe(retailerOrders[0]!.totalCents);
    expect(apiOrder.retailerTotalCents).toBe(apiOrder.totalCents);

    const headlessOrder = await h.waitForStatus(checkout.orderOf(headless.name).orderNumber, 'placed', 60_000);
    const shopOrders = h.storefront.orders();
    expect(shopOrders).toHaveLength(1);
    expect(shopOrders[0]).toMatchObject({
      reference: headlessOrder.orderNumber,
      items: [expect.objectContaining({ sku: 'TEE-ORG', size: 'M', color: 'navy', quantity: 1 })],
    });
    expect(headlessOrder.storeOrderNumber).toBe(shopOrders[0]!.confirmationNumber);
    expect(headlessOrder.retailerTotalCents).toBe(shopOrders[0]!.totalCents);

    // The manual order waits for a person, with everything they need to buy it by hand.
    const manualNumber = checkout.orderOf(manual.name).orderNumber;
    const task = await waitFor(() => h.liveTaskOf(manualNumber), 10_000, 'manual task');
    expect((await h.order(manualNumber)).status).toBe('placing');
    expect(task).toMatchObject({
      kind: 'place_order',
      status: 'open',
      payload: {
        orderNumber: manualNumber,
        store: { slug: manual.slug, name: manual.name },
        items: [
          expect.objectContaining({
            sku: 'LANTERN',
            size: 'XL',
            color: 'red',
            quantity: 3,
            unitPriceCents: 2999,
            totalPriceCents: 3 * 2999,
            productUrl: `https://shop.example/${manual.slug}/LANTERN`,
          }),
        ],
        shippingAddress: expect.objectContaining({ name: ADDRESS.name, address1: ADDRESS.address1, zip: ADDRESS.zip }),
        totals: expect.objectContaining({ totalCents: checkout.orderOf(manual.name).totalCents }),
      },
    });
    expect((await h.session('mix-shopper', checkout.sessionId)).status).toBe('placed');

    await h.http.post(`/api/v1/ops/tasks/${task.taskId}/claim`).set(ops).expect(200);
    const done = await h.http
      .post(`/api/v1/ops/tasks/${task.taskId}/complete`)
      .set(ops)
      .send({ storeOrderNumber: 'CORNER-5521' })
      .expect(200);
    expect(done.body.data).toMatchObject({ status: 'done', storeOrderNumber: 'CORNER-5521', resolvedBy: 'ops-1' });
    const manualOrder = await h.order(manualNumber);
    expect(manualOrder).toMatchObject({ status: 'placed', storeOrderNumber: 'CORNER-5521' });

    expect((await h.session('mix-shopper', checkout.sessionId)).status).toBe('completed');
    for (const order of [apiOrder, headlessOrder, manualOrder]) {
      expect(statuses(order)).toEqual(['pending', 'placing', 'placed']);
    }
    // The shopper sees the same through their own API.
    const mine = await h.http.get(`/api/v1/orders/${manualNumber}`).set(bearer('mix-shopper')).expect(200);
    expect(mine.body.data.status).toBe('placed');
  }, 90_000);

  it('when three retailers each take a second to answer, then their orders are placed at the same time', async () => {
    const stores = await Promise.all(
      ['par-a', 'par-b', 'par-c'].map((slug) => h.createApiStore(slug, { retailer: { latencyMs: 1000 } })),
    );
    const checkout = await h.checkout(
      'par-shopper',
      stores.map((store) => ({ storeSlug: store.slug, sku: 'MUG' })),
    );

    const intervals = [];
    for (const store of stores) {
      const order = await h.waitForStatus(checkout.orderOf(store.name).orderNumber, 'placed');
      expect(h.simulator.stats(store.slug).orderCreations).toBe(1);
      const [attempt, ...more] = await h.attemptsOf(order.orderNumber);
      expect(more).toEqual([]);
      expect(attempt.outcome).toBe('placed');
      const end = new Date(attempt.created_at).getTime();
      intervals.push({ start: end - attempt.duration_ms, end });
    }
    // Each placement took two slow round trips (quote, order); one could only finish before the next started if
    // they ran one after another. Every pair of intervals overlapping means all three were in flight at once.
    const latestStart = Math.max(...intervals.map((i) => i.start));
    const earliestEnd = Math.min(...intervals.map((i) => i.end));
    expect(latestStart).toBeLessThan(earliestEnd);
  }, 30_000);
});

describe('when the retailer misbehaves', () => {
  it('when the retailer answers 503 twice, then the third try places exactly one retailer order', async () => {
    const store = await h.createApiStore('retry-503');
    h.simulator.injectFaults(store.slug, { kind: 'status_503', count: 2 });
    const checkout = await h.checkout('retry-shopper', [{ storeSlug: store.slug, sku: 'LANTERN' }]);

    const order = await h.waitForStatus(checkout.orders[0]!.orderNumber, 'placed');
    expect(h.simulator.orders(store.slug)).toHaveLength(1);
    expect(h.simulator.stats(store.slug)).toMatchObject({ orderRequests: 3, orderCreations: 1 });
    expect(order.storeOrderNumber).toBe(h.simulator.orders(store.slug)[0]!.orderNumber);
    const attempts = await h.attemptsOf(order.orderNumber);
    expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'transient_error'],
      [2, 'transient_error'],
      [3, 'placed'],
    ]);
    expect(attempts[0].message).toMatch(/503/);
    expect(statuses(order)).toEqual(['pending', 'placing', 'placed']);
  });

  it('when the retailer is out of stock and the store falls back to manual, then the order waits for ops with the reason', async () => {
    const store = await h.createApiStore('fallback-oos', { fallbackMethod: 'manual' });
    h.simulator.setStock(store.slug, 'MUG', 0);
    const checkout = await h.checkout('fallback-shopper', [{ storeSlug: store.slug, sku: 'MUG' }]);
    const orderNumber = checkout.orders[0]!.orderNumber;

    const task = await waitFor(() => h.liveTaskOf(orderNumber), 10_000, 'fallback task');
    expect(task).toMatchObject({
      kind: 'place_order',
      status: 'open',
      payload: expect.objectContaining({ orderNumber }),
    });
    const order = await h.order(orderNumber);
    expect(order).toMatchObject({ status: 'placing', placementMethod: 'manual', storeOrderNumber: null });
    expect(order.statusHistory.at(-1)).toMatchObject({ fromStatus: 'placing', toStatus: 'placing' });
    expect(order.statusHistory.at(-1).reason).toMatch(/out_of_stock.*falling back to manual/);
    expect(h.simulator.stats(store.slug)).toMatchObject({ orderCreations: 0, orderRejections: 1 });
    expect((await h.attemptsOf(orderNumber)).map((a) => [a.method, a.outcome, a.error_code])).toEqual([
      ['api', 'permanent_error', 'out_of_stock'],
      ['manual', 'deferred', null],
    ]);
  });
});

describe('the price guard', () => {
  it('when the retailer quotes above the snapshot beyond the tolerance, then nothing is bought and ops review both figures', async () => {
    const store = await h.createApiStore('price-over', { priceToleranceCents: 100 });
    h.simulator.setPrice(store.slug, 'LANTERN', 2999 + 500);
    const checkout = await h.checkout('price-over-shopper', [{ storeSlug: store.slug, sku: 'LANTERN' }]);
    const { orderNumber, totalCents } = checkout.orders[0]!;

    const task = await waitFor(() => h.liveTaskOf(orderNumber), 10_000, 'price review task');
    // The retailer's own total for its new price: 34.99 plus its 7.25 % tax (it charges no shipping).
    const retailerTotalCents = 3499 + applyBasisPoints(3499, TAX_BASIS_POINTS);
    expect(task).toMatchObject({
      kind: 'price_review',
      status: 'open',
      payload: expect.objectContaining({
        orderNumber,
        priceReview: {
          retailerTotalCents,
          expectedTotalCents: totalCents,
          differenceCents: retailerTotalCents - totalCents,
        },
      }),
    });
    expect(h.simulator.stats(store.slug)).toMatchObject({ quotes: 1, orderRequests: 0 });
    expect(await h.order(orderNumber)).toMatchObject({
      status: 'placing',
      placementMethod: 'manual',
      retailerTotalCents: null,
    });
    expect((await h.attemptsOf(orderNumber)).map((a) => a.outcome)).toEqual(['price_mismatch']);
  });

  it('when the retailer quotes above the snapshot within the tolerance, then the order is placed and the retailer total recorded', async () => {
    const store = await h.createApiStore('price-within', { priceToleranceCents: 100 });
    h.simulator.setPrice(store.slug, 'LANTERN', 2999 + 50);
    const checkout = await h.checkout('price-within-shopper', [{ storeSlug: store.slug, sku: 'LANTERN' }]);
    const { orderNumber, totalCents } = checkout.orders[0]!;

    const order = await h.waitForStatus(orderNumber, 'placed');
    const retailerTotalCents = 3049 + applyBasisPoints(3049, TAX_BASIS_POINTS);
    expect(retailerTotalCents - totalCents).toBeLessThanOrEqual(100);
    expect(order.retailerTotalCents).toBe(retailerTotalCents);
    expect(order.totalCents).toBe(totalCents);
    expect(h.simulator.orders(store.slug)).toEqual([
      expect.objectContaining({ externalReference: orderNumber, totalCents: retailerTotalCents }),
    ]);
  });
});
