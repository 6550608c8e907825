import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../src/logger';
import { createBrowserPool, type BrowserPool } from '../src/placement/browser-pool';
import { createHeadlessPlacementAdapter } from '../src/placement/headless-adapter';
import {
  TransientPlacementError,
  type PlacementAdapter,
  type PlacementContext,
  type PlacementOrder,
  type PlacementResult,
} from '../src/placement/placement-adapter';
import demoRecipe from '../src/placement/recipes/demo-storefront-recipe.json';
import { startDemoStorefront, type DemoStorefront } from '../src/sandbox/storefront/demo-storefront';

/**
 * The demo storefront playing a single-page app: order history loaded after the page, a toast over every page
 * for a while, a cookie banner fading in. The same recipes must neither misread it nor click the wrong thing.
 */
jest.setTimeout(120_000);

const credentials = { username: 'buyer@example.com', password: 'correct-horse-battery' };
const payment = { cardNumber: '4242424242424242', expiry: '12/30', cvc: '737' };
let store: DemoStorefront;
let pool: BrowserPool;
let adapter: PlacementAdapter;
let artifactsDir: string;
let sequence = 0;

/** The demo recipe plus one optional step a real shop's recipe would have: accept the cookie banner if shown. */
const recipe = {
  ...demoRecipe,
  steps: [{ type: 'click', selector: 'text=Accept cookies', optional: true, timeoutMs: 1500 }, ...demoRecipe.steps],
};

beforeAll(async () => {
  artifactsDir = await mkdtemp(join(tmpdir(), 'spa-artifacts-'));
  store = await startDemoStorefront({
    credentials,
    products: [{ sku: 'CAP-003', name: 'Canvas Cap', priceCents: 1900 }],
  });
  pool = createBrowserPool({ maxPages: 1 });
  adapter = createHeadlessPlacementAdapter({ browserPool: pool, artifactsDir });
});
afterEach(() => store.reset());
afterAll(async () => {
  await pool?.close();
  await store?.stop();
  await rm(artifactsDir, { recursive: true, force: true });
});

function order(): PlacementOrder {
  sequence += 1;
  return {
    orderNumber: `MO-SPA${String(sequence).padStart(6, '0')}`,
    storeSlug: 'demo-outfitters',
    storeName: 'Demo Outfitters',
    currency: 'USD',
    items: [
      {
        orderItemId: 'oi_1',
        sku: 'CAP-003',
        name: 'Canvas Cap',
        quantity: 1,
        unitPriceCents: 1900,
        totalPriceCents: 1900,
      },
    ],
    shippingAddress: {
      name: 'Ada Lovelace',
      address1: '12 Analytical Way',
      address2: '',
      city: 'San Francisco',
      state: 'CA',
      zip: '94110',
      country: 'US',
      phone: '+14155550100',
    },
    subtotalCents: 1900,
    shippingCents: 0,
    taxCents: 0,
    totalCents: 1900,
  };
}

const contextOf = (overrides: Partial<PlacementContext> = {}): PlacementContext => ({
  config: { baseUrl: store.url, credentials, payment, recipe, selectorTimeoutMs: 4_000, navigationTimeoutMs: 15_000 },
  priceToleranceCents: 0,
  attempt: 1,
  logger: silentLogger,
  ...overrides,
});
const ordersReferencing = (o: PlacementOrder) => store.orders().filter((placed) => placed.reference === o.orderNumber);

describe('headless placement on a single-page-app shop', () => {
  it('places through a toast covering every page for a while and a fading cookie banner', async () => {
    store.setSpaMode({ dataDelayMs: 0, toastMs: 700, banner: true });
    const o = order();

    const placed = (await adapter.place(o, contextOf())) as PlacementResult;

    expect(placed).toMatchObject({ kind: 'placed', details: { foundBy: 'recipe' } });
    expect(ordersReferencing(o)).toHaveLength(1);
  });

  it('when a toast never goes away, the click fails naming what covers the button instead of clicking it', async () => {
    store.setSpaMode({ dataDelayMs: 0, toastMs: -1, banner: false });

    const error = (await adapter.place(order(), contextOf()).catch((e: unknown) => e)) as TransientPlacementError & {
      details: Record<string, unknown>;
    };

    expect(error).toBeInstanceOf(TransientPlacementError);
    expect(error.message).toMatch(
      /could not be clicked within \d+ ms: a click there would hit div\.toast .*Reload page/,
    );
    expect(error.details).toMatchObject({
      step: 'signIn.steps.3',
      submitted: false,
      coveredBy: expect.stringContaining('Reload page'),
    });
  });

  it('when the history data arrives late, the lookup waits for it: it finds an order an earlier attempt placed', async () => {
    const o = order();
    store.crashAfterNextOrder();
    await expect(adapter.place(o, contextOf())).rejects.toBeInstanceOf(TransientPlacementError);
    expect(ordersReferencing(o)).toHaveLength(1);

    store.setSpaMode({ dataDelayMs: 1_500, toastMs: 0, banner: false });
    const retry = (await adapter.place(o, contextOf({ attempt: 2 }))) as PlacementResult;

    expect(retry).toMatchObject({ kind: 'placed', details: { foundBy: 'lookup' } });
    expect(ordersReferencing(o)).toHaveLength(1);
  });

  it('answers "not placed" only once the late data has arrived and shows the explicit empty state', async () => {
    store.setSpaMode({ dataDelayMs: 1_000, toastMs: 0, banner: false });
    await expect(adapter.lookup!(order(), contextOf({ attempt: 2 }))).resolves.toMatchObject({
      kind: 'not_placed',
      evidence: expect.stringContaining('[data-no-orders]'),
    });
  });

  it('answers "unknown", and buys nothing, when the history data never arrives', async () => {
    store.setSpaMode({ dataDelayMs: 60_000, toastMs: 0, banner: false });
    const o = order();
    const quick = { ...contextOf({ attempt: 2 }), config: { ...contextOf().config, navigationTimeoutMs: 3_000 } };

    await expect(adapter.lookup!(o, quick)).resolves.toMatchObject({ kind: 'unknown' });
    await expect(adapter.place(o, quick)).rejects.toBeInstanceOf(TransientPlacementError);
    expect(ordersReferencing(o)).toHaveLength(0);
  });
});
