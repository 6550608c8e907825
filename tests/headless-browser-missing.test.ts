import { silentLogger } from '../src/logger';
import { createBrowserPool } from '../src/placement/browser-pool';
import { createHeadlessPlacementAdapter } from '../src/placement/headless-adapter';
import { PermanentPlacementError, type PlacementOrder } from '../src/placement/placement-adapter';
import demoRecipe from '../src/placement/recipes/demo-storefront-recipe.json';

const order = {
  orderNumber: 'MO-NOBROWSER1',
  storeSlug: 'demo',
  storeName: 'Demo',
  currency: 'USD',
  items: [
    { orderItemId: 'oi_1', sku: 'CAP-003', name: 'Cap', quantity: 1, unitPriceCents: 1900, totalPriceCents: 1900 },
  ],
  shippingAddress: {
    name: 'Ada Lovelace',
    address1: '1 Way',
    address2: '',
    city: 'Austin',
    state: 'TX',
    zip: '78701',
    country: 'US',
    phone: '+15125550100',
  },
  subtotalCents: 1900,
  shippingCents: 0,
  taxCents: 0,
  totalCents: 1900,
} satisfies PlacementOrder;
const config = {
  baseUrl: 'http://127.0.0.1:9',
  credentials: { username: 'u', password: 'p' },
  payment: { cardNumber: '4242424242424242', expiry: '12/30', cvc: '737' },
  recipe: demoRecipe,
};

describe('a missing Chromium', () => {
  it('is found by the start-up probe, and headless orders fail at once as config_invalid (the fallback takes over)', async () => {
    const pool = createBrowserPool({ executablePath: '/nonexistent/chromium' });
    await expect(pool.probe()).resolves.toEqual({
      ok: false,
      reason: expect.stringContaining('/nonexistent/chromium is missing or not executable'),
    });

    const adapter = createHeadlessPlacementAdapter({ browserPool: pool, artifactsDir: '/tmp/unused-artifacts' });
    const error = await adapter
      .place(order, { config, priceToleranceCents: 0, attempt: 1, logger: silentLogger })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PermanentPlacementError);
    expect(error).toMatchObject({
      code: 'config_invalid',
      message: expect.stringMatching(/^Chromium is not available: /),
    });
    await expect(
      adapter.lookup!(order, { config, priceToleranceCents: 0, attempt: 2, logger: silentLogger }),
    ).resolves.toMatchObject({ kind: 'unknown' });
    await pool.close();
  });

  it('a working Chromium answers the probe with its version', async () => {
    const pool = createBrowserPool();
    await expect(pool.probe()).resolves.toMatchObject({ ok: true, version: expect.stringMatching(/Chrom/) });
    await pool.close();
  });
});
