import { ADDRESS, startPlacementHarness, waitFor, type PlacementHarness } from './support/placement-harness';
import { usePlatform } from './support/test-platforms';
import { vendureAdmin, type VendureAdmin } from './support/vendure-admin';
import { createVendureStore, VENDURE_SHIPPING_CENTS } from './support/vendure-store';
import type { VendurePlatform } from './platforms/vendure/start';

/** A real Vendure (started once per jest run by the global setup), bought from through its Shop API. */
let h: PlacementHarness;
let platform: Omit<VendurePlatform, 'stop'>;
let release: () => Promise<void>;
let vendure: VendureAdmin;

beforeAll(async () => {
  ({ platform, release } = await usePlatform('vendure'));
  vendure = vendureAdmin(platform);
  h = await startPlacementHarness();
}, 180_000);
afterAll(async () => {
  await h?.close();
  await release?.();
});

const paid = (orders: { orderPlacedAt: string | null }[]) => orders.filter((order) => order.orderPlacedAt !== null);

describe('buying from a real Vendure', () => {
  it('when a checkout spans a Vendure store and another retailer, then Vendure holds one paid order with our lines, address and order number', async () => {
    const shop = await createVendureStore(h, platform, vendure, 'vnd-two', {
      products: [
        { name: 'Trail mug', priceCents: 1200 },
        { name: 'Camp lantern', priceCents: 3600 },
      ],
    });
    const other = await h.createApiStore('vnd-other');
    const checkout = await h.checkout('vnd-two-shopper', [
      { storeSlug: shop.slug, sku: shop.skus[0]!, quantity: 2 },
      { storeSlug: shop.slug, sku: shop.skus[1]!, quantity: 1 },
      { storeSlug: other.slug, sku: 'MUG' },
    ]);
    const ours = checkout.orderOf(shop.name);
    // 2 × 12.00 + 36.00, 7.25 % tax (the same at Vendure), Vendure's standard shipping.
    expect(ours.totalCents).toBe(6000 + 435 + VENDURE_SHIPPING_CENTS);

    const placed = await h.waitForStatus(ours.orderNumber, 'placed', 30_000);
    await h.waitForStatus(checkout.orderOf(other.name).orderNumber, 'placed');

    const [vendureOrder, ...more] = await vendure.ordersByReference(ours.orderNumber);
    expect(more).toEqual([]);
    expect(vendureOrder).toMatchObject({
      code: placed.storeOrderNumber,
      state: 'PaymentSettled',
      totalWithTax: ours.totalCents,
      customFields: { clientRef: ours.orderNumber },
      customer: { emailAddress: 'purchasing@mor.example' },
      shippingAddress: {
        fullName: ADDRESS.name,
        streetLine1: ADDRESS.address1,
        city: ADDRESS.city,
        province: ADDRESS.state,
        postalCode: ADDRESS.zip,
        countryCode: 'US',
      },
      payments: [{ state: 'Settled', method: platform.paymentMethodCode, amount: ours.totalCents }],
    });
    expect(vendureOrder!.orderPlacedAt).not.toBeNull();
    expect(vendureOrder!.lines.map((line) => [line.productVariant.sku, line.quantity]).sort()).toEqual([
      [shop.skus[0], 2],
      [shop.skus[1], 1],
    ]);
    expect(placed).toMatchObject({ retailerTotalCents: ours.totalCents, placementMethod: 'api' });
    const [attempt] = await h.attemptsOf(ours.orderNumber);
    expect(attempt).toMatchObject({
      outcome: 'placed',
      details: expect.objectContaining({ platform: 'vendure', vendureOrderCode: vendureOrder!.code }),
    });
    // What a retry after a crash would have read: recorded in our database before the payment.
    const record = await h.database
      .db('platform_checkouts')
      .where({ order_number: ours.orderNumber, platform: 'vendure' })
      .first();
    expect(record.data).toMatchObject({ code: vendureOrder!.code, token: expect.any(String), state: 'paid' });
  }, 60_000);
});

describe('Vendure refusing the order', () => {
  it('when Vendure has too few in stock, then nothing is paid there and the order goes to the store fallback', async () => {
    const shop = await createVendureStore(h, platform, vendure, 'vnd-short', {
      products: [{ name: 'Rare print', priceCents: 4000, stock: 1 }],
      fallbackMethod: 'manual',
    });
    const checkout = await h.checkout('vnd-short-shopper', [{ storeSlug: shop.slug, sku: shop.skus[0]!, quantity: 2 }]);
    const { orderNumber } = checkout.orders[0]!;

    const task = await waitFor(() => h.liveTaskOf(orderNumber), 20_000, 'fallback task');
    expect(task).toMatchObject({ kind: 'place_order', status: 'open' });
    const order = await h.order(orderNumber);
    expect(order).toMatchObject({ status: 'placing', placementMethod: 'manual' });
    expect(order.statusHistory.at(-1).reason).toMatch(/out_of_stock/);
    expect((await h.attemptsOf(orderNumber))[0]).toMatchObject({
      outcome: 'permanent_error',
      error_code: 'out_of_stock',
    });
    expect(paid(await vendure.ordersByReference(orderNumber))).toEqual([]);
  }, 60_000);

  it('when Vendure sold out and the store has no fallback, then the order fails and exactly its total is refunded', async () => {
    const shop = await createVendureStore(h, platform, vendure, 'vnd-gone', {
      products: [{ name: 'Last tent', priceCents: 8000, stock: 5 }],
    });
    await h.stopWorker();
    const checkout = await h.checkout('vnd-gone-shopper', [{ storeSlug: shop.slug, sku: shop.skus[0]!, quantity: 1 }]);
    const { orderNumber, totalCents } = checkout.orders[0]!;
    // Sold out at Vendure after our shopper paid us.
    await vendure.setVariant(shop.skus[0]!, { stock: 0 });
    await h.startWorker();

    const failed = await h.waitForOrder(
      orderNumber,
      (o) => o.status === 'failed' && o.refundedCents === totalCents,
      30_000,
    );
    expect(failed.failureReason).toMatch(/out_of_stock/);
    const refunds = await waitFor(
      async () => {
        const rows = (await h.ledger(checkout.sessionId)).filter(
          (tx) => tx.type === 'refund' && tx.status === 'succeeded',
        );
        return rows.length > 0 ? rows : undefined;
      },
      10_000,
      'refund settled',
    );
    expect(refunds).toEqual([expect.objectContaining({ type: 'refund', amount_cents: totalCents })]);
    expect(paid(await vendure.ordersByReference(orderNumber))).toEqual([]);
  }, 60_000);

  it('when Vendure raised its price beyond the tolerance, then nothing is paid there and ops review both totals', async () => {
    const shop = await createVendureStore(h, platform, vendure, 'vnd-dear', {
      products: [{ name: 'Stove', priceCents: 4000 }],
      priceToleranceCents: 100,
    });
    await h.stopWorker();
    const checkout = await h.checkout('vnd-dear-shopper', [{ storeSlug: shop.slug, sku: shop.skus[0]! }]);
    const { orderNumber, totalCents } = checkout.orders[0]!;
    await vendure.setVariant(shop.skus[0]!, { priceCents: 4800 });
    await h.startWorker();

    const task = await waitFor(() => h.liveTaskOf(orderNumber), 20_000, 'price review task');
    // Vendure's new total: 48.00 + 7.25 % tax + shipping.
    const retailerTotalCents = 4800 + 348 + VENDURE_SHIPPING_CENTS;
    expect(task).toMatchObject({
      kind: 'price_review',
      payload: expect.objectContaining({
        priceReview: {
          retailerTotalCents,
          expectedTotalCents: totalCents,
          differenceCents: retailerTotalCents - totalCents,
        },
      }),
    });
    const atVendure = await vendure.ordersByReference(orderNumber);
    expect(paid(atVendure)).toEqual([]);
    expect(atVendure.map((order) => order.payments)).toEqual([[]]);
  }, 60_000);
});
