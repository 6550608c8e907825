import { startPlacementHarness, waitFor, type PlacementHarness } from './support/placement-harness';
import { usePlatform } from './support/test-platforms';
import { vendureAdmin, type VendureAdmin } from './support/vendure-admin';
import { createVendureStore } from './support/vendure-store';
import type { VendurePlatform } from './platforms/vendure/start';

let h: PlacementHarness;
let platform: Omit<VendurePlatform, 'stop'>;
let release: () => Promise<void>;
let vendure: VendureAdmin;
let shop: Awaited<ReturnType<typeof createVendureStore>>;

beforeAll(async () => {
  ({ platform, release } = await usePlatform('vendure'));
  vendure = vendureAdmin(platform);
  // Every placed order is due again at once: the test drives the sync's passes itself, as its timer would.
  h = await startPlacementHarness({ settings: { statusPoll: { firstMs: 0, maxMs: 0 } } });
  shop = await createVendureStore(h, platform, vendure, 'vnd-sync', {
    products: [{ name: 'Camp chair', priceCents: 2800 }],
  });
}, 180_000);
afterAll(async () => {
  await h?.close();
  await release?.();
});

async function placedVendureOrder(userId: string) {
  const checkout = await h.checkout(userId, [{ storeSlug: shop.slug, sku: shop.skus[0]! }]);
  const order = checkout.orders[0]!;
  const placed = await h.waitForStatus(order.orderNumber, 'placed', 30_000);
  return { ...order, sessionId: checkout.sessionId, code: placed.storeOrderNumber as string };
}

/** Runs sync passes (what the status sync's timer does) until the order reads as `done`. */
const syncUntil = (orderNumber: string, done: (order: any) => boolean) =>
  waitFor(
    async () => {
      await h.app.services.statusSync.syncDue();
      const order = await h.order(orderNumber);
      return done(order) ? order : undefined;
    },
    20_000,
    `order ${orderNumber} after status sync`,
  );

const pollOf = async (orderNumber: string) =>
  h.database
    .db('order_status_polls as p')
    .join('orders as o', 'o.id', 'p.order_id')
    .where('o.order_number', orderNumber)
    .first('p.*');

describe('status sync with Vendure, which sends no webhooks', () => {
  it('when Vendure ships the order with a tracking code, then ours is shipped with that tracking, once, and delivered later', async () => {
    const { orderNumber, code } = await placedVendureOrder('vnd-sync-ship');
    await h.app.services.statusSync.syncDue();
    expect(await h.order(orderNumber)).toMatchObject({ status: 'placed', trackingNumber: null });
    expect(await pollOf(orderNumber)).toMatchObject({
      last_remote_state: 'PaymentSettled',
      unchanged_polls: 1,
      last_error: null,
    });

    await vendure.ship(code, { method: 'UPS', trackingCode: '1Z999AA10123456784' });
    const shipped = await syncUntil(orderNumber, (order) => order.status === 'shipped');
    expect(shipped).toMatchObject({ trackingNumber: '1Z999AA10123456784', carrier: 'UPS' });
    expect(shipped.statusHistory.at(-1).reason).toMatch(`poll:vendure:${code}:shipped`);

    // Polled again and again: the same event, applied once.
    await h.app.services.statusSync.syncDue();
    await h.app.services.statusSync.syncDue();
    const history = (await h.order(orderNumber)).statusHistory.map((entry: { toStatus: string }) => entry.toStatus);
    expect(history).toEqual(['pending', 'placing', 'placed', 'shipped']);

    const fulfillment = (await vendure.orderByCode(code)).fulfillments[0]!;
    await vendure.transitionFulfillment(fulfillment.id, 'Delivered');
    await syncUntil(orderNumber, (order) => order.status === 'delivered');

    // Delivered is final: the order is not polled any more.
    const polledAt = (await pollOf(orderNumber)).polled_at;
    await h.app.services.statusSync.syncDue();
    expect((await pollOf(orderNumber)).polled_at).toEqual(polledAt);
  }, 60_000);

  it('when Vendure cancels the order, then ours is cancelled and the shopper refunded exactly its total', async () => {
    const { orderNumber, code, totalCents, sessionId } = await placedVendureOrder('vnd-sync-cancel');
    await vendure.cancel(code);

    const cancelled = await syncUntil(
      orderNumber,
      (order) => order.status === 'cancelled' && order.refundedCents === totalCents,
    );
    expect(cancelled.statusHistory.at(-1).reason).toMatch(`poll:vendure:${code}:cancelled`);
    const refunds = await waitFor(
      async () => {
        const rows = (await h.ledger(sessionId)).filter((tx) => tx.type === 'refund' && tx.status === 'succeeded');
        return rows.length > 0 ? rows : undefined;
      },
      10_000,
      'refund settled',
    );
    expect(refunds).toEqual([expect.objectContaining({ amount_cents: totalCents })]);
  }, 60_000);

  it('when two instances sync at the same moment, then each order is polled by one of them', async () => {
    const { orderNumber } = await placedVendureOrder('vnd-sync-race');
    const [first, second] = await Promise.all([
      h.app.services.statusSync.syncDue(),
      h.app.services.statusSync.syncDue(),
    ]);
    const due = await h.database
      .db('orders as o')
      .join('stores as s', 's.id', 'o.store_id')
      .where('s.slug', shop.slug)
      .whereIn('o.status', ['placed', 'confirmed', 'shipped'])
      .count<{ count: string }[]>('* as count');
    expect(first.polled + second.polled).toBe(Number(due[0]!.count));
    expect((await pollOf(orderNumber)).unchanged_polls).toBe(1);
  }, 60_000);

  it('when Vendure cannot be reached, then the poll records the error, backs off, and the order stays as it was', async () => {
    const { orderNumber } = await placedVendureOrder('vnd-sync-down');
    const store = await h.database.db('stores').where({ slug: shop.slug }).first();
    await h.database
      .db('stores')
      .where({ slug: shop.slug })
      .update({ placement_config: { ...store.placement_config, adminApiUrl: 'http://127.0.0.1:9/admin-api' } });
    try {
      await h.app.services.statusSync.syncDue();
      const poll = await pollOf(orderNumber);
      expect(poll.last_error).toMatch(/connection failed/);
      expect(poll.unchanged_polls).toBeGreaterThanOrEqual(1);
      expect(await h.order(orderNumber)).toMatchObject({ status: 'placed' });
    } finally {
      await h.database.db('stores').where({ slug: shop.slug }).update({ placement_config: store.placement_config });
    }
  }, 60_000);
});
