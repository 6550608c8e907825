import { systemClock } from '../src/domain/clock';
import { silentLogger } from '../src/logger';
import { createApiPlacementAdapter } from '../src/placement/api-adapter';
import { findOrderByNumber } from '../src/repositories/orders-repository';
import { transitionOrder } from '../src/services/order-state-machine';
import { toPlacementOrder } from '../src/services/placement-order';
import { ops, startPlacementHarness, type PlacementHarness } from './support/placement-harness';

let h: PlacementHarness;
beforeAll(async () => {
  // Two tries per job: the way out is reached quickly.
  h = await startPlacementHarness({ attempts: 2 });
}, 60_000);
afterAll(() => h?.close());

const reasonsOf = (order: { statusHistory: { reason: string }[] }) => order.statusHistory.map((entry) => entry.reason);
const refundsOf = async (sessionId: string) =>
  (await h.ledger(sessionId)).filter((row) => row.type === 'refund' || row.type === 'partial_refund');

describe('every way out of placement that is not "placed" asks the retailer first', () => {
  it('when every try fails and the retailer answers that it has no such order, then the order fails and is refunded, saying why', async () => {
    const store = await h.createApiStore('gives-up-clean');
    h.simulator.injectFaults(store.slug, { kind: 'status_500', count: 20 });
    const checkout = await h.checkout('give-up-1', [{ storeSlug: store.slug, sku: 'MUG' }]);
    const { orderNumber } = checkout.orders[0]!;

    const order = await h.waitForOrder(orderNumber, (o) => o.status === 'refunded' || o.status === 'failed', 30_000);

    expect(reasonsOf(order).join('\n')).toMatch(
      /retries exhausted: .*the retailer does not have it \(GET \/orders\?externalReference=.* answered an empty list\)/,
    );
    expect(h.simulator.orders(store.slug)).toEqual([]);
    expect(await refundsOf(checkout.sessionId)).toEqual([expect.objectContaining({ amount_cents: order.totalCents })]);
  });

  it('when every try fails and the lookup cannot tell, then nothing is refunded and ops get a task saying it MAY ALREADY HAVE BEEN BOUGHT', async () => {
    const store = await h.createApiStore('gives-up-blind', { fallbackMethod: 'manual' });
    h.simulator.injectFaults(store.slug, { kind: 'status_503', scope: 'any', count: 1_000 });
    const checkout = await h.checkout('give-up-2', [{ storeSlug: store.slug, sku: 'LANTERN' }]);
    const { orderNumber } = checkout.orders[0]!;

    const order = await h.waitForOrder(orderNumber, (o) => o.placementMethod === 'manual', 30_000);
    h.simulator.clearFaults(store.slug);

    expect(order.status).toBe('placing');
    expect(reasonsOf(order).at(-1)).toMatch(
      /^MAY ALREADY HAVE BEEN BOUGHT: retries exhausted: .*the retailer's order lookup failed: .*503.*nothing refunded$/,
    );
    expect(await refundsOf(checkout.sessionId)).toEqual([]);
    // Not handed to the fallback either, whose task would say "buy these items": it could be bought a second time.
    expect(reasonsOf(order).join('\n')).not.toMatch(/falling back/);
    const task = await h.liveTaskOf(orderNumber);
    expect(task.kind).toBe('place_order');
    const details = (await h.http.get(`/api/v1/ops/tasks/${task.taskId}`).set(ops).expect(200)).body.data;
    const instructions: string = details.payload.instructions;
    expect(details.payload.mayAlreadyBeBought).toMatchObject({
      earlierMethod: 'api',
      lookFor: expect.stringContaining(orderNumber),
    });
    expect(instructions).toContain('THIS ORDER MAY ALREADY HAVE BEEN BOUGHT');
    expect(instructions).toContain(`reference ${orderNumber}`);
    expect(instructions).toMatch(/FOUND: do not buy again; complete this task with that order's number/);
    expect(instructions).toMatch(/NOT FOUND: buy the items below/);
    expect(instructions).toContain('Nothing has been refunded');

    // A person finds it (or buys it) and records the number: the order is placed, the checkout completed.
    await h.http.post(`/api/v1/ops/tasks/${task.taskId}/claim`).set(ops).expect(200);
    await h.http
      .post(`/api/v1/ops/tasks/${task.taskId}/complete`)
      .set(ops)
      .send({ storeOrderNumber: 'FOUND-1' })
      .expect(200);
    expect(await h.order(orderNumber)).toMatchObject({ status: 'placed', storeOrderNumber: 'FOUND-1' });
    expect((await h.session('give-up-2', checkout.sessionId)).status).toBe('completed');
  });

  it('when the queue gives up on an order the retailer holds, then it is placed with the retailer’s number and nothing is refunded', async () => {
    await h.stopWorker();
    try {
      const store = await h.createApiStore('gives-up-found');
      const checkout = await h.checkout('give-up-3', [{ storeSlug: store.slug, sku: 'MUG' }]);
      const { orderNumber, storeId } = checkout.orders[0]!;
      // A try the worker did not live to record: the retailer took the order, ours is still placing.
      const found = (await findOrderByNumber(h.database.db, orderNumber))!;
      const placing = await transitionOrder(
        { db: h.database.db, clock: systemClock },
        found,
        'placing',
        'placement started via api',
      );
      const { rows: items } = await h.database.db.raw(
        'SELECT * FROM order_items WHERE order_id = ? ORDER BY position',
        [placing.id],
      );
      const mapped = items.map((row: Record<string, any>) => ({
        id: row.id,
        sku: row.sku,
        name: row.name,
        quantity: row.quantity,
        size: row.size,
        color: row.color,
        unitPriceCents: row.unit_price_cents,
        totalPriceCents: row.total_price_cents,
        productUrl: null,
        imageUrl: null,
      }));
      const config = (await h.database.db('stores').where({ id: storeId }).first()).placement_config;
      await createApiPlacementAdapter().place(toPlacementOrder(placing, mapped), {
        config,
        priceToleranceCents: 0,
        attempt: 1,
        logger: silentLogger,
      });
      const [retailerOrder] = h.simulator.orders(store.slug);

      await h.app.services.placement.exhausted(
        { orderNumber, storeId },
        new Error('its workers died 3 times while placing it'),
      );

      const order = await h.order(orderNumber);
      expect(order).toMatchObject({ status: 'placed', storeOrderNumber: retailerOrder!.orderNumber });
      expect(reasonsOf(order).at(-1)).toMatch(
        /found at the retailer when about to give up \(retries exhausted: its workers died 3 times/,
      );
      expect(h.simulator.stats(store.slug)).toMatchObject({ orderCreations: 1 });
      expect(await refundsOf(checkout.sessionId)).toEqual([]);
      expect((await h.session('give-up-3', checkout.sessionId)).status).toBe('completed');
    } finally {
      await h.startWorker();
    }
  });
});

describe('the store breaker counts outcomes, not answers', () => {
  it('when a retailer answers 500 to orders it did take, then each is placed on its first try and the breaker counts no failure', async () => {
    const store = await h.createApiStore('answers-500');
    h.simulator.injectFaults(store.slug, { kind: 'create_then_500', count: 6 });
    const orderNumbers: string[] = [];
    for (let i = 0; i < 6; i++) {
      orderNumbers.push(
        (await h.checkout(`breaker-${i}`, [{ storeSlug: store.slug, sku: 'MUG' }])).orders[0]!.orderNumber,
      );
    }

    for (const orderNumber of orderNumbers) await h.waitForStatus(orderNumber, 'placed');

    expect(await h.breakerState(store.storeId)).toMatchObject({ state: 'closed', recentFailures: 0 });
    expect(h.simulator.stats(store.slug)).toMatchObject({ orderCreations: 6, orderRequests: 6, faultsServed: 6 });
    for (const orderNumber of orderNumbers) {
      expect((await h.attemptsOf(orderNumber)).map((a) => [a.outcome, a.details.recoveredByLookup])).toEqual([
        ['placed', true],
      ]);
    }
  });
});

describe('the manual method’s lookup reads our own task records', () => {
  it('when a task is live the answer is unknown, once completed it is placed, and with no task at all it is not_placed', async () => {
    await h.createManualStore('by-hand');
    const checkout = await h.checkout('manual-lookup', [{ storeSlug: 'by-hand', sku: 'MUG' }]);
    const { orderNumber } = checkout.orders[0]!;
    const manual = h.app.services.registry.adapterFor('manual');
    const lookup = async () => {
      const record = (await findOrderByNumber(h.database.db, orderNumber))!;
      return manual.lookup!(toPlacementOrder(record, []), {
        config: {},
        priceToleranceCents: 0,
        attempt: 2,
        logger: silentLogger,
      });
    };

    const task = await h.waitForOrder(orderNumber, (o) => o.status === 'placing').then(() => waitForTask(orderNumber));
    expect(await lookup()).toMatchObject({
      kind: 'unknown',
      reason: expect.stringContaining(`ops task ${task.taskId} is open`),
    });

    await h.http.post(`/api/v1/ops/tasks/${task.taskId}/claim`).set(ops).expect(200);
    expect(await lookup()).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('claimed by ops-1') });

    await h.http
      .post(`/api/v1/ops/tasks/${task.taskId}/complete`)
      .set(ops)
      .send({ storeOrderNumber: 'BH-77' })
      .expect(200);
    expect(await lookup()).toMatchObject({
      kind: 'placed',
      result: { storeOrderNumber: 'BH-77', details: { taskId: task.taskId } },
    });

    const other = await h.checkout('manual-lookup-2', [{ storeSlug: 'by-hand', sku: 'LANTERN' }]);
    const untouched = (await findOrderByNumber(h.database.db, other.orders[0]!.orderNumber))!;
    await h
      .waitForOrder(untouched.orderNumber, (o) => o.status === 'placing')
      .then(() => waitForTask(untouched.orderNumber));
    const t2 = await h.liveTaskOf(untouched.orderNumber);
    await h.http.post(`/api/v1/ops/tasks/${t2.taskId}/claim`).set(ops).expect(200);
    await h.http.post(`/api/v1/ops/tasks/${t2.taskId}/fail`).set(ops).send({ reason: 'discontinued' }).expect(200);
    expect(
      await manual.lookup!(toPlacementOrder(untouched, []), {
        config: {},
        priceToleranceCents: 0,
        attempt: 2,
        logger: silentLogger,
      }),
    ).toMatchObject({
      kind: 'not_placed',
    });
  });
});

async function waitForTask(orderNumber: string) {
  for (let i = 0; i < 100; i++) {
    const task = await h.liveTaskOf(orderNumber);
    if (task) return task;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no task for ${orderNumber}`);
}
