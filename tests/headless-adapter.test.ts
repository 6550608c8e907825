import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyBasisPoints, sumCents } from '../src/domain/money';
import { silentLogger } from '../src/logger';
import { createBrowserPool, type BrowserPool } from '../src/placement/browser-pool';
import { createHeadlessPlacementAdapter } from '../src/placement/headless-adapter';
import {
  PermanentPlacementError,
  PriceMismatchError,
  TransientPlacementError,
  type PlacementAdapter,
  type PlacementContext,
  type PlacementOrder,
  type PlacementResult,
} from '../src/placement/placement-adapter';
import demoRecipe from '../src/placement/recipes/demo-storefront-recipe.json';
import { startDemoStorefront, type DemoStorefront } from '../src/sandbox/storefront/demo-storefront';

const credentials = { username: 'buyer@example.com', password: 'correct-horse-battery' };
const payment = { cardNumber: '4242424242424242', expiry: '12/30', cvc: '737' };
const TAX_BASIS_POINTS = 825;
const SHIPPING_CENTS = 599;
const PRODUCTS = [
  { sku: 'TEE-001', name: 'Organic Cotton Tee', priceCents: 2400, sizes: ['S', 'M', 'L'], colors: ['black', 'sage'] },
  { sku: 'HOOD-002', name: 'Fleece Hoodie', priceCents: 6800, sizes: ['M', 'L'], colors: ['navy', 'grey'], stock: 50 },
  { sku: 'CAP-003', name: 'Canvas Cap', priceCents: 1900 },
];

let store: DemoStorefront;
let pool: BrowserPool;
let adapter: PlacementAdapter;
let artifactsDir: string;
let orderSequence = 0;

beforeAll(async () => {
  artifactsDir = await mkdtemp(join(tmpdir(), 'headless-artifacts-'));
  store = await startDemoStorefront({
    credentials,
    products: PRODUCTS,
    taxBasisPoints: TAX_BASIS_POINTS,
    shippingCents: SHIPPING_CENTS,
    ordersPerPage: 2,
  });
  pool = createBrowserPool({ maxPages: 2 });
  adapter = createHeadlessPlacementAdapter({ browserPool: pool, artifactsDir });
});

afterEach(() => store.reset());

afterAll(async () => {
  await pool?.close();
  await store?.stop();
  await rm(artifactsDir, { recursive: true, force: true });
});

type Line = { sku: string; quantity: number; size?: string; color?: string };

/** An order whose snapshot prices match the storefront's list prices, totals computed the storefront's way. */
function orderOf(lines: Line[]): PlacementOrder {
  const items = lines.map((line, index) => {
    const product = PRODUCTS.find((p) => p.sku === line.sku)!;
    return {
      orderItemId: `oi_${index}`,
      name: product.name,
      unitPriceCents: product.priceCents,
      totalPriceCents: product.priceCents * line.quantity,
      ...line,
    };
  });
  const subtotalCents = sumCents(items.map((item) => item.totalPriceCents));
  const taxCents = applyBasisPoints(subtotalCents, TAX_BASIS_POINTS);
  orderSequence += 1;
  return {
    orderNumber: `MO-TEST${String(orderSequence).padStart(6, '0')}`,
    storeSlug: 'demo-outfitters',
    storeName: 'Demo Outfitters',
    currency: 'USD',
    items,
    shippingAddress: {
      name: 'Ada Lovelace',
      address1: '12 Analytical Way',
      address2: 'Apt 3',
      city: 'San Francisco',
      state: 'CA',
      zip: '94110',
      country: 'US',
      phone: '+14155550100',
    },
    subtotalCents,
    shippingCents: SHIPPING_CENTS,
    taxCents,
    totalCents: subtotalCents + taxCents + SHIPPING_CENTS,
  };
}

function contextOf(overrides: Partial<PlacementContext> & { config?: Record<string, unknown> } = {}): PlacementContext {
  const { config, ...rest } = overrides;
  return {
    // Short enough that the "element never appears" cases stay quick, long enough for Chromium on a loaded 2-core box.
    config: {
      baseUrl: store.url,
      credentials,
      payment,
      recipe: demoRecipe,
      selectorTimeoutMs: 3_000,
      navigationTimeoutMs: 10_000,
      ...config,
    },
    priceToleranceCents: 100,
    attempt: 1,
    logger: silentLogger,
    ...rest,
  };
}

const ordersReferencing = (order: PlacementOrder) =>
  store.orders().filter((placed) => placed.reference === order.orderNumber);

/** Buys one cap over plain HTTP, as another client of the same retailer account would. */
async function placeWithoutBrowser(reference: string): Promise<void> {
  let cookie = '';
  const post = async (path: string, form: Record<string, string>) => {
    const response = await fetch(`${store.url}${path}`, {
      method: 'POST',
      body: new URLSearchParams(form),
      headers: { cookie },
      redirect: 'manual',
    });
    cookie = response.headers.get('set-cookie')?.split(';')[0] ?? cookie;
    return response.status;
  };
  await post('/login', credentials);
  await post('/cart/items', { sku: 'CAP-003', quantity: '1' });
  const address = {
    name: 'Ada Lovelace',
    address1: '1 Main St',
    city: 'Oakland',
    state: 'CA',
    zip: '94607',
    phone: '4155550100',
  };
  await post('/checkout', {
    ...address,
    'card-number': payment.cardNumber,
    'card-expiry': payment.expiry,
    'card-cvc': payment.cvc,
    'order-reference': reference,
  });
  expect(await post('/checkout/place', {})).toBe(303);
}

async function placementError(
  promise: Promise<unknown>,
): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a failure, got ${JSON.stringify(outcome.value)}`);
  return outcome.error as Error & { code?: string };
}

describe('headless placement against the demo storefront', () => {
  it('when an order of two items with sizes, colors and quantities is placed, then the retailer holds exactly it under our reference', async () => {
    const order = orderOf([
      { sku: 'TEE-001', quantity: 2, size: 'M', color: 'sage' },
      { sku: 'HOOD-002', quantity: 1, size: 'L', color: 'navy' },
    ]);

    const outcome = (await adapter.place(order, contextOf())) as PlacementResult;

    expect(outcome).toMatchObject({
      kind: 'placed',
      retailerTotalCents: order.totalCents,
      details: { foundBy: 'recipe' },
    });
    expect(outcome.storeOrderNumber).toMatch(/^DO-\d{8}$/);
    const [placed, ...others] = ordersReferencing(order);
    expect(others).toHaveLength(0);
    expect(placed).toMatchObject({
      confirmationNumber: outcome.storeOrderNumber,
      totalCents: order.totalCents,
      cardLast4: '4242',
      address: {
        name: 'Ada Lovelace',
        address1: '12 Analytical Way',
        address2: 'Apt 3',
        city: 'San Francisco',
        state: 'CA',
        zip: '94110',
        phone: '4155550100',
      },
    });
    expect(placed!.items.map(({ sku, size, color, quantity }) => ({ sku, size, color, quantity }))).toEqual([
      { sku: 'TEE-001', size: 'M', color: 'sage', quantity: 2 },
      { sku: 'HOOD-002', size: 'L', color: 'navy', quantity: 1 },
    ]);
  });

  it('when an item is out of stock, then it fails permanently as out_of_stock and nothing is ordered', async () => {
    store.setOutOfStock('HOOD-002', true);
    const order = orderOf([
      { sku: 'CAP-003', quantity: 1 },
      { sku: 'HOOD-002', quantity: 1, size: 'M', color: 'grey' },
    ]);

    const error = await placementError(adapter.place(order, contextOf()));

    expect(error).toBeInstanceOf(PermanentPlacementError);
    expect(error).toMatchObject({
      code: 'out_of_stock',
      details: { step: 'steps.0.steps.1', itemSku: 'HOOD-002', submitted: false },
    });
    expect(ordersReferencing(order)).toHaveLength(0);
  });

  it('when the place-order button was redesigned, then it fails permanently as flow_broken with a screenshot and the page HTML saved', async () => {
    store.setVariant('changed-button');
    const order = orderOf([{ sku: 'CAP-003', quantity: 1 }]);

    const error = await placementError(adapter.place(order, contextOf()));

    expect(error).toBeInstanceOf(PermanentPlacementError);
    expect(error).toMatchObject({ code: 'flow_broken', details: { selector: '#place-order', submitted: false } });
    const artifacts = error.details!.artifacts as { screenshot: string; html: string };
    expect(artifacts.screenshot).toMatch(new RegExp(`${order.orderNumber}-1-\\d{8}T\\d{9}Z\\.png$`));
    expect(artifacts.html).toBe(artifacts.screenshot.replace(/\.png$/, '.html'));
    const png = await readFile(artifacts.screenshot);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const html = await readFile(artifacts.html, 'utf8');
    expect(html).toContain('submit-order-v2');
    expect(html).not.toContain(payment.cardNumber);
    expect(html).not.toContain(credentials.password);
    expect(ordersReferencing(order)).toHaveLength(0);
  });

  it('when the retailer total exceeds the snapshot by more than the tolerance, then PriceMismatchError and nothing is ordered', async () => {
    const order = orderOf([{ sku: 'TEE-001', quantity: 1, size: 'S', color: 'black' }]);
    store.setPrice('TEE-001', 2600);

    const error = await placementError(adapter.place(order, contextOf({ priceToleranceCents: 100 })));

    expect(error).toBeInstanceOf(PriceMismatchError);
    expect(error).toMatchObject({
      code: 'price_changed',
      expectedTotalCents: order.totalCents,
      retailerTotalCents: order.totalCents + 200 + 17,
    });
    expect(ordersReferencing(order)).toHaveLength(0);
  });

  it('when the retailer total is higher but within the tolerance, then it is placed and reports the retailer total', async () => {
    const order = orderOf([{ sku: 'CAP-003', quantity: 1 }]);
    store.setPrice('CAP-003', 1950);

    const outcome = (await adapter.place(order, contextOf({ priceToleranceCents: 100 }))) as PlacementResult;

    expect(outcome.retailerTotalCents).toBe(order.totalCents + 50 + 4);
    expect(ordersReferencing(order)).toEqual([
      expect.objectContaining({ confirmationNumber: outcome.storeOrderNumber, totalCents: outcome.retailerTotalCents }),
    ]);
  });

  it('when attempt 2 follows an attempt that reached the retailer, then the lookup returns that order and nothing is bought twice', async () => {
    const order = orderOf([{ sku: 'TEE-001', quantity: 1, size: 'L', color: 'black' }]);
    store.crashAfterNextOrder();

    const first = await placementError(adapter.place(order, contextOf({ attempt: 1 })));
    expect(first).toBeInstanceOf(TransientPlacementError);
    expect(first).toMatchObject({ details: { submitted: true } });

    const second = (await adapter.place(order, contextOf({ attempt: 2 }))) as PlacementResult;

    const [placed, ...others] = ordersReferencing(order);
    expect(others).toHaveLength(0);
    expect(second).toMatchObject({
      kind: 'placed',
      storeOrderNumber: placed!.confirmationNumber,
      retailerTotalCents: order.totalCents,
      details: { foundBy: 'lookup' },
    });
  });

  it('when asked before giving up, then the lookup answers placed for an order the shop holds and not_placed for one it does not, buying nothing', async () => {
    const held = orderOf([{ sku: 'CAP-003', quantity: 1 }]);
    await placeWithoutBrowser(held.orderNumber);
    const absent = orderOf([{ sku: 'TEE-001', quantity: 1, size: 'M', color: 'black' }]);
    const ordersBefore = store.orders().length;

    const found = await adapter.lookup!(held, contextOf());
    const missing = await adapter.lookup!(absent, contextOf());

    expect(found).toMatchObject({
      kind: 'placed',
      result: { storeOrderNumber: ordersReferencing(held)[0]!.confirmationNumber },
    });
    expect(missing).toEqual({ kind: 'not_placed', evidence: expect.stringContaining(absent.orderNumber) });
    expect(store.orders()).toHaveLength(ordersBefore);
  });

  it('when the shop cannot be read, then the lookup answers unknown, never not_placed', async () => {
    const order = orderOf([{ sku: 'TEE-001', quantity: 1, size: 'M', color: 'black' }]);
    const unreachable = await adapter.lookup!(
      order,
      contextOf({ config: { baseUrl: 'http://127.0.0.1:1', navigationTimeoutMs: 2_000 } }),
    );
    expect(unreachable).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('lookup failed') });
  });

  it('when the place step answers 500, then the failure is transient and the retry places the order once', async () => {
    const order = orderOf([{ sku: 'CAP-003', quantity: 2 }]);
    store.failNextCheckouts(1);

    const error = await placementError(adapter.place(order, contextOf()));
    expect(error).toBeInstanceOf(TransientPlacementError);
    expect(error).toMatchObject({
      details: { httpStatus: 500, submitted: true, artifacts: { screenshot: expect.any(String) } },
    });
    expect(ordersReferencing(order)).toHaveLength(0);

    const retry = (await adapter.place(order, contextOf({ attempt: 2 }))) as PlacementResult;
    expect(retry.details.foundBy).toBe('recipe');
    expect(ordersReferencing(order)).toHaveLength(1);
  });

  it('when the retailer is slower than the navigation timeout, then the failure is transient', async () => {
    store.setLatency(1_500);
    const order = orderOf([{ sku: 'CAP-003', quantity: 1 }]);

    const error = await placementError(adapter.place(order, contextOf({ config: { navigationTimeoutMs: 1_000 } })));

    expect(error).toBeInstanceOf(TransientPlacementError);
    expect(error.message).toMatch(/timed out/);
  });

  it('when the store credentials are wrong, then it fails permanently as rejected', async () => {
    const error = await placementError(
      adapter.place(
        orderOf([{ sku: 'CAP-003', quantity: 1 }]),
        contextOf({ config: { credentials: { ...credentials, password: 'nope' } } }),
      ),
    );

    expect(error).toMatchObject({ code: 'rejected', details: { step: 'signIn.steps.4' } });
  });

  it('when the recipe uses the paged-order-history module, then a retry finds the order on an older history page', async () => {
    const { lookup: _dataLookup, ...withoutLookup } = demoRecipe;
    const config = { recipe: { ...withoutLookup, module: 'paged-order-history' } };
    const target = orderOf([{ sku: 'CAP-003', quantity: 1 }]);
    await placeWithoutBrowser(target.orderNumber);
    await placeWithoutBrowser('MO-SOMEONEELSE1');
    await placeWithoutBrowser('MO-SOMEONEELSE2');

    const retry = (await adapter.place(target, contextOf({ attempt: 2, config }))) as PlacementResult;

    expect(retry).toMatchObject({
      storeOrderNumber: ordersReferencing(target)[0]!.confirmationNumber,
      details: { foundBy: 'lookup', historyPage: 2 },
    });
    expect(ordersReferencing(target)).toHaveLength(1);
  });

  it('when Chromium crashes mid-placement, then the failure is transient and the next placement relaunches it', async () => {
    store.setLatency(150);
    const crashing = createHeadlessPlacementAdapter({
      artifactsDir,
      browserPool: {
        withPage: (fn) =>
          pool.withPage((page) => {
            setTimeout(() => page.browser().process()?.kill('SIGKILL'), 400);
            return fn(page);
          }),
        close: () => pool.close(),
        probe: () => pool.probe(),
      },
    });

    const error = await placementError(crashing.place(orderOf([{ sku: 'CAP-003', quantity: 1 }]), contextOf()));
    expect(error).toBeInstanceOf(TransientPlacementError);

    store.setLatency(0);
    const order = orderOf([{ sku: 'CAP-003', quantity: 1 }]);
    await expect(adapter.place(order, contextOf())).resolves.toMatchObject({ kind: 'placed' });
  });
});

describe('headless config validation', () => {
  it('when the config and its recipe are valid, then there are no errors', () => {
    expect(
      adapter.validateConfig({ baseUrl: 'https://shop.example', credentials, payment, recipe: demoRecipe }),
    ).toEqual({});
  });

  it('when the recipe is broken in several places, then each problem is named by its path', () => {
    const steps = structuredClone(demoRecipe.steps) as Record<string, unknown>[];
    steps[2] = { type: 'fill', value: '{{address.name}}' };
    steps[3] = { type: 'clik', selector: '#x' };
    steps[4] = { type: 'fill', selector: '#address2', value: '{{adress.address2}}' };

    const errors = adapter.validateConfig({
      baseUrl: 'ftp://shop',
      credentials: { username: 'u' },
      recipe: { ...demoRecipe, steps, module: 'nope' },
    });

    expect(errors).toEqual({
      baseUrl: 'an http(s) URL',
      'credentials.password': 'required',
      'recipe.steps.2.selector': 'required',
      'recipe.steps.3.type': expect.stringContaining('"clik" is not a step type'),
    });
  });

  it('when the recipe shape is valid but unsafe or unknown to this adapter, then the rules are reported', () => {
    const steps = demoRecipe.steps
      .filter((step) => step.type !== 'guardPrice')
      .map((step) => (step.selector === '#address2' ? { ...step, value: '{{adress.address2}}' } : step));

    const errors = adapter.validateConfig({
      baseUrl: 'https://shop.example',
      credentials,
      recipe: { ...demoRecipe, steps, module: 'nope' },
    });

    expect(errors).toEqual({
      'recipe.module': expect.stringContaining('unknown module "nope"; registered: paged-order-history'),
      'recipe.steps.4.value': 'unknown template variable {{adress.address2}}',
      'recipe.steps': expect.stringContaining('add a guardPrice step before the step that submits the order'),
    });
  });

  it('when the recipe needs a card but the config has none, then payment is required', () => {
    expect(adapter.validateConfig({ baseUrl: 'https://shop.example', credentials, recipe: demoRecipe })).toEqual({
      payment: 'required: the recipe uses {{payment.cardNumber}}',
    });
  });
});

describe('browser pool', () => {
  it('when more pages are asked for than maxPages, then the extra callers wait their turn', async () => {
    let open = 0;
    let mostOpen = 0;
    const visit = () =>
      pool.withPage(async (page) => {
        open += 1;
        mostOpen = Math.max(mostOpen, open);
        await page.goto(`${store.url}/products/CAP-003`);
        await new Promise((resolve) => setTimeout(resolve, 100));
        open -= 1;
        return page.title();
      });

    const titles = await Promise.all([visit(), visit(), visit(), visit()]);

    expect(titles).toEqual(Array(4).fill('Canvas Cap · Demo Outfitters'));
    expect(mostOpen).toBe(2);
  });
});
