import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../src/logger';
import { createBrowserPool, type BrowserPool } from '../src/placement/browser-pool';
import { createHeadlessPlacementAdapter, type SessionStore } from '../src/placement/headless-adapter';
import {
  PermanentPlacementError,
  PriceMismatchError,
  TransientPlacementError,
  type PlacementAdapter,
  type PlacementContext,
  type PlacementOrder,
  type PlacementResult,
} from '../src/placement/placement-adapter';
import recipe from '../src/placement/recipes/evershop-recipe.json';
import { startDelayingProxy, type DelayingProxy } from './support/shop-delaying-proxy';
import { everShopFixture, type EverShopFixture } from './support/evershop-fixture';

/**
 * Headless placement against a real EverShop 2.x (tests/platforms/evershop), driven by the shipped recipe.
 * Every outcome is read back from EverShop itself: its admin API and its database.
 */
jest.setTimeout(240_000);

let shop: EverShopFixture;
let pool: BrowserPool;
let adapter: PlacementAdapter;
let artifactsDir: string;
let tee: { sku: string; name: string; priceCents: number };
let mug: { sku: string; name: string; priceCents: number };
// One signed-in session for the whole file: EverShop allows 8 sign-ins per 15 minutes per address.
const sessions: SessionStore = new Map();

beforeAll(async () => {
  shop = await everShopFixture();
  [tee, mug] = shop.seed.products as unknown as [typeof tee, typeof mug];
  artifactsDir = await mkdtemp(join(tmpdir(), 'evershop-artifacts-'));
  pool = createBrowserPool({ maxPages: 1 });
  adapter = createHeadlessPlacementAdapter({ browserPool: pool, artifactsDir, sessions });
});

afterAll(async () => {
  await pool?.close();
  if (artifactsDir && !process.env.KEEP_ARTIFACTS) await rm(artifactsDir, { recursive: true, force: true });
});

function contextOf(overrides: Partial<PlacementContext> = {}): PlacementContext {
  return {
    config: {
      baseUrl: shop.baseUrl,
      credentials: shop.customer,
      recipe,
      concurrency: 1,
      navigationTimeoutMs: 60_000,
      selectorTimeoutMs: 20_000,
    },
    priceToleranceCents: 0,
    attempt: 1,
    logger: silentLogger,
    ...overrides,
  };
}

const ordersFor = async (order: PlacementOrder) =>
  (await shop.admin.orders(shop.customer.username)).filter((o) => o.shippingNote?.includes(order.orderNumber));

async function failureOf(
  work: Promise<unknown>,
): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  try {
    await work;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the placement to fail');
}

describe('headless placement on a real EverShop', () => {
  it('places a two-line order through the storefront; EverShop holds it with our number, items and total', async () => {
    const order = shop.order([
      { ...tee, quantity: 2 },
      { ...mug, quantity: 1 },
    ]);

    const placed = (await adapter.place(order, contextOf())) as PlacementResult;

    const [stored, ...more] = await ordersFor(order);
    expect(more).toHaveLength(0);
    expect(placed).toMatchObject({
      kind: 'placed',
      storeOrderNumber: stored!.orderNumber,
      retailerTotalCents: order.totalCents,
      details: { foundBy: 'recipe' },
    });
    expect(stored).toMatchObject({ shippingNote: order.orderNumber, grandTotalCents: order.totalCents });
    expect(stored!.items).toEqual(
      expect.arrayContaining([
        { sku: tee.sku, qty: 2 },
        { sku: mug.sku, qty: 1 },
      ]),
    );
    expect(await shop.openCartLines()).toBe(0);
  });

  it('when the browser dies just after Place Order, with EverShop answering through a slow proxy, the retry finds the order and buys nothing', async () => {
    const proxy: DelayingProxy = await startDelayingProxy();
    const proxiedPool = createBrowserPool({ maxPages: 1, extraArgs: proxy.chromiumArgs });
    try {
      // Every answer is late; the order's own confirmation never reaches the browser.
      proxy.setDelay(400);
      const crashing = createHeadlessPlacementAdapter({
        artifactsDir,
        sessions,
        browserPool: {
          ...proxiedPool,
          withPage: (fn) =>
            proxiedPool.withPage(async (page) => {
              void proxy
                .forwarded('POST', /\/api\/carts\/[^/]+\/checkout$/)
                .then(() => page.browser().process()?.kill('SIGKILL'));
              return fn(page);
            }),
        },
      });
      const order = shop.order([{ ...mug, quantity: 3 }]);

      const crash = await failureOf(crashing.place(order, contextOf()));
      expect(crash).toBeInstanceOf(TransientPlacementError);
      expect(await ordersFor(order)).toHaveLength(1);

      const slowAdapter = createHeadlessPlacementAdapter({ browserPool: proxiedPool, artifactsDir, sessions });
      const retry = (await slowAdapter.place(order, contextOf({ attempt: 2 }))) as PlacementResult;

      const stored = await ordersFor(order);
      expect(stored).toHaveLength(1);
      expect(retry).toMatchObject({
        kind: 'placed',
        storeOrderNumber: stored[0]!.orderNumber,
        retailerTotalCents: order.totalCents,
        details: { foundBy: 'lookup' },
      });
    } finally {
      await proxiedPool.close();
      await proxy.stop();
    }
  });

  it('when the shop cannot answer the lookup, a retry does not guess: it refuses to buy again and the lookup says unknown', async () => {
    const proxy = await startDelayingProxy();
    const proxiedPool = createBrowserPool({ maxPages: 1, extraArgs: proxy.chromiumArgs });
    try {
      proxy.failPaths(/^\/api\/graphql$/);
      const failing = createHeadlessPlacementAdapter({ browserPool: proxiedPool, artifactsDir, sessions });
      const order = shop.order([{ ...tee, quantity: 1 }]);

      const refusal = await failureOf(failing.place(order, contextOf({ attempt: 2 })));
      expect(refusal).toBeInstanceOf(TransientPlacementError);
      expect(refusal.message).toMatch(/request to \/api\/graphql failed: 502/);
      await expect(failing.lookup!(order, contextOf({ attempt: 2 }))).resolves.toMatchObject({ kind: 'unknown' });
      expect(await ordersFor(order)).toHaveLength(0);

      proxy.failPaths(undefined);
      await expect(failing.lookup!(order, contextOf({ attempt: 2 }))).resolves.toMatchObject({
        kind: 'not_placed',
        evidence: expect.stringContaining(order.orderNumber),
      });
    } finally {
      await proxiedPool.close();
      await proxy.stop();
    }
  });

  it('when EverShop asks more than the snapshot, the price guard stops before Place Order and the server-side cart is emptied', async () => {
    const pricey = await shop.admin.createProduct({
      sku: `PRICE-${Date.now().toString(36)}`,
      name: 'Price Watch',
      priceCents: 1000,
      qty: 100,
    });
    const order = shop.order([{ sku: pricey.sku, name: 'Price Watch', priceCents: 1000, quantity: 2 }]);
    await shop.admin.updateProduct(pricey.uuid, { priceCents: 1300 });

    const error = await failureOf(adapter.place(order, contextOf()));

    expect(error).toBeInstanceOf(PriceMismatchError);
    expect(error).toMatchObject({ retailerTotalCents: 3100, expectedTotalCents: 2500, details: { submitted: false } });
    expect(await ordersFor(order)).toHaveLength(0);
    expect(await shop.openCartLines()).toBe(0);
  });

  it('when a product is sold out, the placement is refused as out_of_stock and nothing is left in the cart', async () => {
    const soldOut = await shop.admin.createProduct({
      sku: `SOLD-${Date.now().toString(36)}`,
      name: 'Sold Out Socks',
      priceCents: 800,
      qty: 0,
    });
    const order = shop.order([
      { ...tee, quantity: 1 },
      { sku: soldOut.sku, name: 'Sold Out Socks', priceCents: 800, quantity: 1 },
    ]);

    const error = await failureOf(adapter.place(order, contextOf()));

    expect(error).toBeInstanceOf(PermanentPlacementError);
    expect(error).toMatchObject({ code: 'out_of_stock', details: { itemSku: soldOut.sku, submitted: false } });
    expect(await shop.openCartLines()).toBe(0);
  });

  it('when the shop no longer sells a product, the placement is refused naming it', async () => {
    const gone = await shop.admin.createProduct({
      sku: `GONE-${Date.now().toString(36)}`,
      name: 'Discontinued Mug',
      priceCents: 900,
      qty: 10,
    });
    await shop.admin.deleteProduct(gone.uuid);
    const order = shop.order([{ sku: gone.sku, name: 'Discontinued Mug', priceCents: 900, quantity: 1 }]);

    const error = await failureOf(adapter.place(order, contextOf()));

    expect(error).toBeInstanceOf(PermanentPlacementError);
    expect(error).toMatchObject({ code: 'rejected', message: `EverShop no longer sells ${gone.sku}` });
    expect(await ordersFor(order)).toHaveLength(0);
  });
});
