import { randomBytes } from 'node:crypto';
import { ADDRESS, ops, startPlacementHarness, type PlacementHarness } from './support/placement-harness';
import { createVendureCatalogReader } from '../src/catalog/vendure-catalog-reader';
import { CatalogReadError } from '../src/catalog/catalog-reader';
import { startDelayingProxy } from './support/delaying-proxy';
import { usePlatform } from './support/test-platforms';
import { bearer } from './support/tokens';
import { vendureAdmin, type VendureAdmin } from './support/vendure-admin';
import { createVendureStore } from './support/vendure-store';
import type { VendurePlatform } from './platforms/vendure/start';

/**
 * A real Vendure's catalog read into ours through the default catalog readers (the app's own wiring), over its Shop
 * API. Every test file shares that Vendure, so its catalog holds other files' products too: the assertions look at
 * this file's SKUs only.
 */
let h: PlacementHarness;
let platform: Omit<VendurePlatform, 'stop'>;
let release: () => Promise<void>;
let vendure: VendureAdmin;
let shop: { slug: string; skus: string[] };
const tag = randomBytes(3).toString('hex').toUpperCase();
const sku = (name: string) => `VCAT-${tag}-${name}`;

beforeAll(async () => {
  ({ platform, release } = await usePlatform('vendure'));
  vendure = vendureAdmin(platform);
  h = await startPlacementHarness();
  // The store starts with an empty catalog of ours: only the sync brings its products in.
  shop = await createVendureStore(h, platform, vendure, 'vcat', { products: [] });
  for (const [name, priceCents, stock] of [
    ['BOOT', 15_600, 5],
    ['CUP', 1_200, 100],
    ['KNIFE', 4_000, 2],
  ] as const) {
    await vendure.createProduct({ sku: sku(name), name: `Vendure ${name.toLowerCase()}`, priceCents, stock });
  }
  shop.skus = ['BOOT', 'CUP', 'KNIFE'].map(sku);
}, 180_000);
afterAll(async () => {
  await h?.close();
  await release?.();
});

const syncNow = (slug: string) => h.http.post(`/api/v1/ops/stores/${slug}/catalog-sync`).set(ops);

/** Our catalog of the store, by SKU, every page of it. */
async function storeProducts(slug: string): Promise<Record<string, any>> {
  const all: Record<string, any> = {};
  for (let offset = 0; ; offset += 100) {
    const page = (await h.http.get(`/api/v1/stores/${slug}/products?limit=100&offset=${offset}`).expect(200)).body
      .data as any[];
    for (const product of page) all[product.sku] = product;
    if (page.length < 100) return all;
  }
}
const ours = async (slug: string) =>
  Object.fromEntries(Object.entries(await storeProducts(slug)).filter(([key]) => key.startsWith(`VCAT-${tag}-`)));

/** The run's changes to this file's products, as `kind sku old→new`. */
async function changesOf(runId: number): Promise<string[]> {
  const changes: string[] = [];
  for (let offset = 0; ; offset += 100) {
    const page = (
      await h.http.get(`/api/v1/ops/catalog/changes?run=${runId}&limit=100&offset=${offset}`).set(ops).expect(200)
    ).body.data as any[];
    for (const c of page.filter((c) => c.sku.startsWith(`VCAT-${tag}-`))) {
      changes.push(
        `${c.kind} ${c.sku.slice(`VCAT-${tag}-`.length)}${c.oldPriceCents !== null || c.newPriceCents !== null ? ` ${c.oldPriceCents}→${c.newPriceCents}` : ''}`,
      );
    }
    if (page.length < 100) return changes.sort();
  }
}

async function disableProduct(variantSku: string): Promise<void> {
  const data = await vendure.gql<{ productVariants: { items: { product: { id: string } }[] } }>(
    'query($sku: String!) { productVariants(options: { filter: { sku: { eq: $sku } } }) { items { product { id } } } }',
    { sku: variantSku },
  );
  await vendure.gql('mutation($input: UpdateProductInput!) { updateProduct(input: $input) { id } }', {
    input: { id: data.productVariants.items[0]!.product.id, enabled: false },
  });
}

describe('syncing a real Vendure’s catalog', () => {
  it('brings in its products through the Shop API: SKU, name, price before tax, stock', async () => {
    const run = (await syncNow(shop.slug).expect(201)).body.data;
    expect(run).toMatchObject({ storeSlug: shop.slug, status: 'succeeded', retries: 0 });
    expect(run.productsSeen).toBeGreaterThanOrEqual(3);
    expect(await changesOf(run.runId)).toEqual([
      'added BOOT null→15600',
      'added CUP null→1200',
      'added KNIFE null→4000',
    ]);
    const products = await ours(shop.slug);
    expect(products[sku('BOOT')]).toMatchObject({
      name: 'Vendure boot',
      priceCents: 15_600,
      available: true,
      productUrl: null,
    });
    expect(products[sku('KNIFE')]).toMatchObject({ priceCents: 4_000, available: true });
    const found = (await h.http.get(`/api/v1/products?q=vendure%20boot&store=${shop.slug}`).expect(200)).body.data;
    expect(found[0]).toMatchObject({ sku: sku('BOOT'), storeSlug: shop.slug });
  }, 60_000);

  it('follows a price and a stock level changed in Vendure, tells the cart, and leaves an open checkout session as it was', async () => {
    const shopper = bearer('vcat-shopper');
    for (const [name, quantity] of [
      ['BOOT', 1],
      ['KNIFE', 1],
    ] as const) {
      await h.http
        .post('/api/v1/cart/items')
        .set(shopper)
        .send({ storeSlug: shop.slug, sku: sku(name), quantity })
        .expect(201);
    }
    const session = (await h.http.post('/api/v1/checkout/sessions').set(shopper).expect(201)).body.data;
    await h.http.put(`/api/v1/checkout/sessions/${session.sessionId}/shipping`).set(shopper).send(ADDRESS).expect(200);
    const before = (await h.http.get(`/api/v1/checkout/sessions/${session.sessionId}`).set(shopper).expect(200)).body
      .data;

    await vendure.setVariant(sku('BOOT'), { priceCents: 13_200 });
    await vendure.setVariant(sku('KNIFE'), { stock: 0 });
    const run = (await syncNow(shop.slug).expect(201)).body.data;
    expect(await changesOf(run.runId)).toEqual(['became_unavailable KNIFE', 'price_changed BOOT 15600→13200']);

    const products = await ours(shop.slug);
    expect(products[sku('BOOT')]).toMatchObject({ priceCents: 13_200, available: true });
    expect(products[sku('KNIFE')]).toMatchObject({ priceCents: 4_000, available: false });

    const cart = (await h.http.get('/api/v1/cart').set(shopper).expect(200)).body.data;
    const lines = Object.fromEntries(cart.items.map((item: any) => [item.sku, item]));
    expect(lines[sku('BOOT')]).toMatchObject({
      unitPriceCents: 13_200,
      addedUnitPriceCents: 15_600,
      priceChanged: true,
      available: true,
    });
    expect(lines[sku('KNIFE')]).toMatchObject({ priceChanged: false, available: false });

    const after = (await h.http.get(`/api/v1/checkout/sessions/${session.sessionId}`).set(shopper).expect(200)).body
      .data;
    expect(after).toEqual(before);
  }, 60_000);

  it('makes a product disabled in Vendure unavailable here', async () => {
    await disableProduct(sku('CUP'));
    const run = (await syncNow(shop.slug).expect(201)).body.data;
    expect(await changesOf(run.runId)).toEqual(['delisted CUP 1200→null']);
    expect((await ours(shop.slug))[sku('CUP')]).toMatchObject({ available: false, priceCents: 1_200 });
  }, 60_000);

  it('changes nothing when run again on the same catalog', async () => {
    const before = await ours(shop.slug);
    const run = (await syncNow(shop.slug).expect(201)).body.data;
    expect(run.status).toBe('succeeded');
    expect(await changesOf(run.runId)).toEqual([]);
    expect(await ours(shop.slug)).toEqual(before);
  }, 60_000);

  it('fails the run, after retrying, and writes nothing when Vendure cannot be reached', async () => {
    const proxy = await startDelayingProxy(platform.shopApiUrl);
    const behind = await createVendureStore(h, platform, vendure, 'vcat-down', {
      products: [],
      shopApiUrl: `${proxy.url}${new URL(platform.shopApiUrl).pathname}`,
      timeoutMs: 2_000,
    });
    await syncNow(behind.slug).expect(201);
    const synced = await ours(behind.slug);
    expect(synced[sku('BOOT')]).toMatchObject({ priceCents: 13_200 });

    await proxy.close(); // Vendure is gone: the port refuses connections.
    await vendure.setVariant(sku('BOOT'), { priceCents: 12_000 });
    const failed = (await syncNow(behind.slug).expect(502)).body.error;
    expect(failed.code).toBe('catalog_sync_failed');
    expect(failed.details.run).toMatchObject({
      status: 'failed',
      errorTransient: true,
      pagesRead: 0,
      error: expect.stringContaining('connection'),
    });
    expect(failed.details.run.retries).toBeGreaterThan(0);
    expect(await changesOf(failed.details.run.runId)).toEqual([]);
    expect(await ours(behind.slug)).toEqual(synced);
  }, 60_000);

  it('pages through the whole catalog by take/skip, every variant once, and ends', async () => {
    const reader = createVendureCatalogReader({ pageSize: 2 });
    const store = {
      slug: shop.slug,
      placementMethod: 'api',
      placementConfig: { platform: 'vendure', shopApiUrl: platform.shopApiUrl },
    };
    expect(reader.canRead(store)).toBe(true);
    expect(
      reader.canRead({ ...store, placementConfig: { platform: 'evershop', shopApiUrl: platform.shopApiUrl } }),
    ).toBe(false);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await reader.readPage(store, cursor);
      seen.push(...page.products.map((product) => product.sku));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 1000);
    expect(cursor).toBeNull();
    expect(pages).toBeGreaterThan(1);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining([sku('BOOT'), sku('KNIFE')]));
    expect(seen).not.toContain(sku('CUP')); // disabled above
  }, 60_000);

  it('tells an address that is not a Vendure Shop API apart from a Vendure that is down', async () => {
    const reader = createVendureCatalogReader();
    const notShop = {
      slug: 'x',
      placementMethod: 'api',
      placementConfig: { platform: 'vendure', shopApiUrl: `${new URL(platform.shopApiUrl).origin}/nowhere` },
    };
    const refused = await reader.readPage(notShop, null).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CatalogReadError);
    expect(refused).toMatchObject({ transient: false });
  }, 30_000);
});
