import type { FrozenPromotion } from '../domain/promotion';
import { applyTax, buildSnapshot, chooseShipping, shippingFor, taxBasisPointsFor } from './pricing';

const item = (sku: string, unitPriceCents: number, quantity: number) => ({
  cartItemId: `ci-${sku}`,
  productId: `p-${sku}`,
  sku,
  name: sku,
  size: null,
  color: null,
  quantity,
  unitPriceCents,
  productUrl: null,
  imageUrl: null,
});

const store = (
  id: string,
  items: ReturnType<typeof item>[],
  shipping: { flatCents: number; freeAboveCents: number | null } = { flatCents: 0, freeAboveCents: null },
) => ({
  storeId: id,
  storeSlug: id,
  storeName: id,
  placementMethod: 'api' as const,
  shipping,
  items,
});

describe('pricing', () => {
  it('knows the state tax table and falls back to 5% for other states', () => {
    expect(taxBasisPointsFor('CA')).toBe(725);
    expect(taxBasisPointsFor('ny')).toBe(800);
    expect(taxBasisPointsFor('TX')).toBe(625);
    expect(taxBasisPointsFor('WA')).toBe(650);
    expect(taxBasisPointsFor('FL')).toBe(600);
    expect(taxBasisPointsFor('OR')).toBe(500);
  });

  it('charges flat shipping below the threshold and none at or above it', () => {
    const rule = { flatCents: 599, freeAboveCents: 5000 };
    expect(shippingFor(rule, 4999)).toBe(599);
    expect(shippingFor(rule, 5000)).toBe(0);
    expect(shippingFor({ flatCents: 0, freeAboveCents: null }, 10)).toBe(0);
  });

  it('totals each store and the summary, with no tax until an address is known', () => {
    const snapshot = buildSnapshot('usd', [
      store('a', [item('x', 1999, 2), item('y', 500, 1)], { flatCents: 499, freeAboveCents: null }),
      store('b', [item('z', 12345, 1)], { flatCents: 999, freeAboveCents: 10000 }),
    ]);
    expect(snapshot.stores[0]).toMatchObject({
      subtotalCents: 4498,
      shippingCents: 499,
      taxCents: 0,
      totalCents: 4997,
    });
    expect(snapshot.stores[1]).toMatchObject({
      subtotalCents: 12345,
      shippingCents: 0,
      taxCents: 0,
      totalCents: 12345,
    });
    expect(snapshot.summary).toEqual({
      itemCount: 4,
      subtotalCents: 16843,
      shippingCents: 499,
      discountCents: 0,
      taxCents: 0,
      totalCents: 17342,
    });
  });

  it('taxes each store subtotal (not shipping), rounding half-up per store, and the summary is the exact sum', () => {
    // 1010 * 7.25% = 73.225 → 73; 1030 * 7.25% = 74.675 → 75; 200 * 7.25% = 14.5 → 15 (half-up)
    const snapshot = applyTax(
      buildSnapshot('usd', [
        store('a', [item('x', 1010, 1)], { flatCents: 500, freeAboveCents: null }),
        store('b', [item('y', 1030, 1)]),
        store('c', [item('z', 200, 1)]),
      ]),
      'CA',
    );
    expect(snapshot.stores.map((s) => s.taxCents)).toEqual([73, 75, 15]);
    expect(snapshot.stores[0].totalCents).toBe(1010 + 500 + 73);
    expect(snapshot.summary.taxCents).toBe(163);
    expect(snapshot.summary.totalCents).toBe(snapshot.stores.reduce((sum, s) => sum + s.totalCents, 0));
  });

  it('re-taxes from the untaxed subtotals when the address changes state', () => {
    const base = buildSnapshot('usd', [store('a', [item('x', 10000, 1)])]);
    const inNewYork = applyTax(applyTax(base, 'CA'), 'NY');
    expect(inNewYork.stores[0].taxCents).toBe(800);
    expect(inNewYork.summary.totalCents).toBe(10800);
  });

  const code = (kind: FrozenPromotion['kind'], value: number | null = null): FrozenPromotion => ({
    promotionId: 'p1',
    code: 'TEST',
    kind,
    amountCents: kind === 'fixed_amount' ? value : null,
    percentOff: kind === 'percent' ? value : null,
  });

  it('spreads a $10 code over three stores to the cent and taxes each discounted subtotal', () => {
    const stores = [
      store('a', [item('x', 3333, 1)]),
      store('b', [item('y', 3333, 1)]),
      store('c', [item('z', 3334, 1)]),
    ];
    const snapshot = applyTax(buildSnapshot('usd', stores, code('fixed_amount', 1000)), 'NY');
    // 1000 × 3333/10000 = 333.3 → 333 (+1 for the first largest remainder), 333, 333.4 → 333 (+1)
    expect(snapshot.stores.map((s) => s.discountCents)).toEqual([333, 333, 334]);
    // NY 8 % of (3333 − 333) = 240; of (3334 − 334) = 240
    expect(snapshot.stores.map((s) => s.taxCents)).toEqual([240, 240, 240]);
    expect(snapshot.stores.map((s) => s.fullPriceTotalCents)).toEqual([3333 + 267, 3333 + 267, 3334 + 267]);
    expect(snapshot.summary).toMatchObject({
      subtotalCents: 10000,
      discountCents: 1000,
      taxCents: 720,
      totalCents: 10000 - 1000 + 720,
    });
    expect(snapshot.summary.totalCents).toBe(snapshot.stores.reduce((sum, s) => sum + s.totalCents, 0));
  });

  it('takes 20 % of the cart subtotal, rounded half-up once, and cuts a code larger than the cart to it', () => {
    const stores = [
      store('a', [item('x', 1001, 1)]),
      store('b', [item('y', 2, 1)], { flatCents: 500, freeAboveCents: null }),
    ];
    const percent = buildSnapshot('usd', stores, code('percent', 20));
    expect(percent.summary.discountCents).toBe(201); // 20 % of 1003 = 200.6 → 201
    expect(percent.stores.map((s) => s.discountCents)).toEqual([201, 0]); // 200.6 and 0.4: the leftover cent goes to the larger remainder
    const huge = applyTax(buildSnapshot('usd', stores, code('fixed_amount', 5000)), 'CA');
    expect(huge.stores.map((s) => s.discountCents)).toEqual([1001, 2]);
    expect(huge.stores.map((s) => s.taxCents)).toEqual([0, 0]);
    expect(huge.stores.map((s) => s.totalCents)).toEqual([0, 500]); // shipping is still paid
    // Without shipping to pay, the items keep the minimum charge: 1003 − 953 = 50
    const noShipping = buildSnapshot('usd', [store('a', [item('x', 1003, 1)])], code('fixed_amount', 5000));
    expect(noShipping.summary).toMatchObject({ discountCents: 953, totalCents: 50 });
  });

  it('waives each store’s shipping with a free-shipping code, whatever each charges', () => {
    const stores = [
      store('a', [item('x', 2000, 1)], { flatCents: 599, freeAboveCents: null }),
      store('b', [item('y', 2000, 1)]),
      store('c', [item('z', 20000, 1)], { flatCents: 999, freeAboveCents: 10000 }),
    ];
    const snapshot = applyTax(buildSnapshot('usd', stores, code('free_shipping')), 'TX');
    expect(snapshot.stores.map((s) => [s.shippingCents, s.shippingDiscountCents, s.discountCents])).toEqual([
      [599, 599, 599],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(snapshot.stores.map((s) => s.taxCents)).toEqual([125, 125, 1250]); // TX 6.25 % of the undiscounted items
    expect(snapshot.stores[0].totalCents).toBe(2000 + 125);
  });

  it('offers each store’s shipping options cheapest first, prices a choice, and refuses one the store does not offer', () => {
    const options = [
      { id: 'express', name: 'Express', priceCents: 1500, minDays: 1, maxDays: 2 },
      { id: 'ground', name: 'Ground', priceCents: 500, freeAboveCents: 5000, minDays: 3, maxDays: 7 },
    ];
    const base = buildSnapshot('usd', [
      { ...store('a', [item('x', 4000, 1)]), shippingOptions: options },
      store('b', [item('y', 100, 1)]),
    ]);
    expect(base.stores[0].shippingOptions.map((o) => [o.id, o.priceCents])).toEqual([
      ['ground', 500],
      ['express', 1500],
    ]);
    expect(base.stores[0]).toMatchObject({ shippingOption: { id: 'ground' }, shippingCents: 500 });
    expect(base.stores[1].shippingOptions).toEqual([
      { id: 'standard', name: 'Standard shipping', priceCents: 0, deliveryEstimate: null },
    ]);
    const express = chooseShipping(base, new Map([['a', 'express']]), 'CA');
    expect(express.stores[0]).toMatchObject({
      shippingOption: { id: 'express', deliveryEstimate: { minDays: 1, maxDays: 2 } },
      shippingCents: 1500,
      taxCents: 290,
    });
    expect(express.summary.shippingCents).toBe(1500);
    expect(() => chooseShipping(base, new Map([['a', 'teleport']]), null)).toThrow(
      expect.objectContaining({ code: 'shipping_option_unknown' }),
    );
  });
});
