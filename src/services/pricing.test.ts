import { applyTax, buildSnapshot, shippingFor, taxBasisPointsFor } from './pricing';

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

const store = (id: string, items: ReturnType<typeof item>[], shipping: { flatCents: number; freeAboveCents: number | null } = { flatCents: 0, freeAboveCents: null }) => ({
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
    expect(snapshot.stores[0]).toMatchObject({ subtotalCents: 4498, shippingCents: 499, taxCents: 0, totalCents: 4997 });
    expect(snapshot.stores[1]).toMatchObject({ subtotalCents: 12345, shippingCents: 0, taxCents: 0, totalCents: 12345 });
    expect(snapshot.summary).toEqual({ itemCount: 4, subtotalCents: 16843, shippingCents: 499, taxCents: 0, totalCents: 17342 });
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
});
