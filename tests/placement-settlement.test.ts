import { admin, startPlacementHarness, type Checkout, type PlacementHarness } from './support/placement-harness';

let h: PlacementHarness;
beforeAll(async () => {
  // No queue consumer: each test runs the job handler itself, to control timing and watch its statements.
  h = await startPlacementHarness({ startWorker: false });
}, 60_000);
afterAll(() => h?.close());

const firstRun = { attempt: 1, maxAttempts: 4, maybeRan: false };
const place = (order: Checkout['orders'][number]) =>
  h.app.services.placement.place({ orderNumber: order.orderNumber, storeId: order.storeId }, firstRun);

describe('settling a checkout from its orders', () => {
  it('when both orders of each checkout are placed at the same moment, then every checkout completes', async () => {
    const [a, b] = [await h.createApiStore('race-a'), await h.createApiStore('race-b')];
    const checkouts: Checkout[] = [];
    for (let i = 0; i < 6; i += 1) {
      checkouts.push(
        await h.checkout(`race-shopper-${i}`, [
          { storeSlug: a.slug, sku: 'MUG' },
          { storeSlug: b.slug, sku: 'LANTERN' },
        ]),
      );
    }
    // The session is settled by a statement of its own after each order's move commits, so whichever finishes
    // second sees both orders placed; folded into the order's own write, each could miss the other.
    await Promise.all(checkouts.flatMap((checkout) => checkout.orders.map(place)));
    for (const [i, checkout] of checkouts.entries()) {
      expect((await h.session(`race-shopper-${i}`, checkout.sessionId)).status).toBe('completed');
    }
  });

  it('when an order of a completed checkout is cancelled later, then the checkout is partially failed', async () => {
    const [a, b] = [await h.createApiStore('late-a'), await h.createApiStore('late-b')];
    const checkout = await h.checkout('late-shopper', [
      { storeSlug: a.slug, sku: 'MUG' },
      { storeSlug: b.slug, sku: 'MUG' },
    ]);
    for (const order of checkout.orders) await place(order);
    expect((await h.session('late-shopper', checkout.sessionId)).status).toBe('completed');

    await h.http
      .post(`/api/v1/admin/orders/${checkout.orders[0]!.orderNumber}/cancel`)
      .set(admin)
      .send({ reason: 'retailer lost it' })
      .expect(200);
    expect((await h.session('late-shopper', checkout.sessionId)).status).toBe('partially_failed');
  });
});

describe('the cost of a placement', () => {
  it('when an order is placed, then the job sends five statements: read, placing, attempt, placed, settle', async () => {
    const store = await h.createApiStore('cost-store');
    const checkout = await h.checkout('cost-shopper', [
      { storeSlug: store.slug, sku: 'MUG', quantity: 2 },
      { storeSlug: store.slug, sku: 'LANTERN' },
    ]);
    const statements: string[] = [];
    const record = (query: { sql: string }) => statements.push(query.sql.replace(/\s+/g, ' ').slice(0, 60));
    h.database.db.on('query', record);
    try {
      await place(checkout.orders[0]!);
    } finally {
      h.database.db.off('query', record);
    }
    expect(statements).toHaveLength(5);
    expect(h.simulator.orders(store.slug)).toEqual([
      expect.objectContaining({
        externalReference: checkout.orders[0]!.orderNumber,
        items: [
          expect.objectContaining({ sku: 'MUG', quantity: 2 }),
          expect.objectContaining({ sku: 'LANTERN', quantity: 1 }),
        ],
      }),
    ]);
    expect((await h.session('cost-shopper', checkout.sessionId)).status).toBe('completed');
  });
});
