import { createRetailerApiCatalogReader } from '../src/catalog/retailer-api-catalog-reader';
import { documentedResponseSchemas } from '../src/http/openapi';
import { createApiPlacementAdapter } from '../src/placement/api-adapter';
import { startRetailerApiSimulator, type RetailerApiSimulator } from '../src/sandbox/retailer-api';
import { ADDRESS, startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';
import { bearer } from './support/tokens';
import { waitFor } from './support/wait-for';

const admin = bearer('admin-1', 'admin');
const ops = bearer('ops-1', 'ops');
const schemas = documentedResponseSchemas();
const FAILURE_BASE_MS = 60_000;

let h: CheckoutHarness;
let sim: RetailerApiSimulator;

function documented(operation: string, res: { status: number; body: any }) {
  const parsed = schemas.get(`${operation} ${res.status}`)!.safeParse(res.body);
  expect(parsed.error?.issues ?? []).toEqual([]);
  expect(res.body).toStrictEqual(parsed.data);
  return res.body;
}

const syncNow = (slug: string) => h.http.post(`/api/v1/ops/stores/${slug}/catalog-sync`).set(ops);
const storeProducts = async (slug: string) =>
  Object.fromEntries(
    ((await h.http.get(`/api/v1/stores/${slug}/products?limit=100`).expect(200)).body.data as any[]).map((p) => [
      p.sku,
      p,
    ]),
  );
const changesOf = async (runId: number) =>
  ((await h.http.get(`/api/v1/ops/catalog/changes?run=${runId}&limit=100`).set(ops).expect(200)).body.data as any[])
    .map(
      (c) =>
        `${c.kind} ${c.sku}${c.oldPriceCents !== null || c.newPriceCents !== null ? ` ${c.oldPriceCents}→${c.newPriceCents}` : ''}`,
    )
    .sort();

async function connectStore(slug: string) {
  sim.addRetailer(slug, {
    apiKey: `${slug}-key`,
    catalog: {
      'BOOT-42': {
        priceCents: 15900,
        stock: 5,
        name: 'Trail boot',
        imageUrl: 'https://img.example/boot.jpg',
        productUrl: 'https://shop.example/boot',
      },
      CUP: { priceCents: 1250, name: 'Camp cup' },
      KNIFE: { priceCents: 3900, stock: 2, name: 'Folding knife' },
      ROPE: { priceCents: 2200, name: 'Climbing rope' },
      STOVE: { priceCents: 6400, stock: 1, name: 'Gas stove' },
    },
  });
  await h.http
    .post('/api/v1/admin/stores')
    .set(admin)
    .send({
      slug,
      name: `${slug} outfitters`,
      placementMethod: 'api',
      placementConfig: { baseUrl: sim.baseUrlFor(slug), apiKey: `${slug}-key`, timeoutMs: 2000 },
    })
    .expect(201);
}

beforeAll(async () => {
  sim = await startRetailerApiSimulator();
  h = await startCheckoutHarness({
    placement: {
      adapters: [createApiPlacementAdapter()],
      enqueue: async () => {},
      // Two products a page, so every catalog here spans several pages.
      catalogReaders: [createRetailerApiCatalogReader({ pageSize: 2 })],
      catalogSync: { pageRetryBaseMs: 5, failureBaseMs: FAILURE_BASE_MS },
    },
  });
  await connectStore('outpost');
});
afterAll(async () => {
  await h.close();
  await sim.close();
});

describe('syncing a connected retailer’s catalog', () => {
  it('brings in every product of every page, and records what it added', async () => {
    const run = documented('POST /api/v1/ops/stores/{slug}/catalog-sync', await syncNow('outpost').expect(201)).data;
    expect(run).toMatchObject({
      storeSlug: 'outpost',
      status: 'succeeded',
      trigger: 'manual',
      requestedBy: 'ops-1',
      pagesRead: 3,
      productsSeen: 5,
      retries: 0,
    });
    expect(run.changes).toEqual({ added: 5, priceChanged: 0, availabilityChanged: 0, detailsChanged: 0, delisted: 0 });
    expect(await changesOf(run.runId)).toEqual([
      'added BOOT-42 null→15900',
      'added CUP null→1250',
      'added KNIFE null→3900',
      'added ROPE null→2200',
      'added STOVE null→6400',
    ]);
    const products = await storeProducts('outpost');
    expect(products['BOOT-42']).toMatchObject({
      name: 'Trail boot',
      priceCents: 15900,
      available: true,
      imageUrl: 'https://img.example/boot.jpg',
      productUrl: 'https://shop.example/boot',
    });
    expect((await h.http.get('/api/v1/products?q=trail%20boots').expect(200)).body.data[0]).toMatchObject({
      sku: 'BOOT-42',
      storeSlug: 'outpost',
    });
  });

  it('follows prices and stock, makes dropped products unavailable, tells the cart, and never touches an open session', async () => {
    const shopper = bearer('sync-shopper');
    await h.addToCart('sync-shopper', 'outpost', 'BOOT-42', 1);
    await h.addToCart('sync-shopper', 'outpost', 'CUP', 2);
    await h.addToCart('sync-shopper', 'outpost', 'KNIFE', 1);
    const session = (await h.http.post('/api/v1/checkout/sessions').set(shopper).expect(201)).body.data;
    await h.http.put(`/api/v1/checkout/sessions/${session.sessionId}/shipping`).set(shopper).send(ADDRESS).expect(200);
    const before = (await h.http.get(`/api/v1/checkout/sessions/${session.sessionId}`).set(shopper).expect(200)).body
      .data;

    sim.setPrice('outpost', 'BOOT-42', 13900);
    sim.setStock('outpost', 'KNIFE', 0);
    sim.removeSku('outpost', 'CUP');
    const run = (await syncNow('outpost').expect(201)).body.data;
    expect(run.changes).toEqual({ added: 0, priceChanged: 1, availabilityChanged: 1, detailsChanged: 0, delisted: 1 });
    expect(await changesOf(run.runId)).toEqual([
      'became_unavailable KNIFE',
      'delisted CUP 1250→null',
      'price_changed BOOT-42 15900→13900',
    ]);

    const products = await storeProducts('outpost');
    expect(products['BOOT-42']).toMatchObject({ priceCents: 13900, available: true });
    expect(products['KNIFE']).toMatchObject({ available: false });
    expect(products['CUP']).toMatchObject({ available: false, priceCents: 1250 });

    const cart = documented('GET /api/v1/cart', await h.http.get('/api/v1/cart').set(shopper).expect(200)).data;
    const lines = Object.fromEntries(cart.items.map((item: any) => [item.sku, item]));
    expect(lines['BOOT-42']).toMatchObject({
      unitPriceCents: 13900,
      addedUnitPriceCents: 15900,
      priceChanged: true,
      available: true,
    });
    expect(lines['CUP']).toMatchObject({ unitPriceCents: 1250, priceChanged: false, available: false });
    expect(lines['KNIFE']).toMatchObject({ priceChanged: false, available: false });
    expect(cart.summary.subtotalCents).toBe(13900 + 2 * 1250 + 3900);

    const after = (await h.http.get(`/api/v1/checkout/sessions/${session.sessionId}`).set(shopper).expect(200)).body
      .data;
    expect(after).toEqual(before);
    expect((await h.http.post('/api/v1/checkout/sessions').set(shopper).expect(409)).body.error.code).toBe(
      'product_unavailable',
    );

    // Added again at today's price, the line no longer reports a change.
    await h.http.delete(`/api/v1/cart/items/${lines['CUP'].id}`).set(shopper).expect(200);
    await h.http.delete(`/api/v1/cart/items/${lines['KNIFE'].id}`).set(shopper).expect(200);
    await h.addToCart('sync-shopper', 'outpost', 'BOOT-42', 1);
    const readded = (await h.http.get('/api/v1/cart').set(shopper).expect(200)).body.data.items;
    expect(readded).toEqual([
      expect.objectContaining({
        sku: 'BOOT-42',
        quantity: 2,
        unitPriceCents: 13900,
        addedUnitPriceCents: 13900,
        priceChanged: false,
      }),
    ]);
  });

  it('changes nothing and records no change when run again on the same catalog', async () => {
    const before = await storeProducts('outpost');
    const changesBefore = (await h.http.get('/api/v1/ops/catalog/changes?store=outpost').set(ops).expect(200)).body.meta
      .totalChanges;
    const run = (await syncNow('outpost').expect(201)).body.data;
    expect(run.changes).toEqual({ added: 0, priceChanged: 0, availabilityChanged: 0, detailsChanged: 0, delisted: 0 });
    expect(await storeProducts('outpost')).toEqual(before);
    expect(
      (await h.http.get('/api/v1/ops/catalog/changes?store=outpost').set(ops).expect(200)).body.meta.totalChanges,
    ).toBe(changesBefore);
  });

  it('brings a product the retailer lists again back as available', async () => {
    sim.setPrice('outpost', 'CUP', 1400);
    const run = (await syncNow('outpost').expect(201)).body.data;
    // The simulator relists it without its old name: the name change is recorded too.
    expect(await changesOf(run.runId)).toEqual(['details_changed CUP', 'price_changed CUP 1250→1400', 'relisted CUP']);
    expect((await storeProducts('outpost'))['CUP']).toMatchObject({ available: true, priceCents: 1400 });
  });

  it('retries a page the retailer fails to serve, within the run', async () => {
    sim.injectFaults('outpost', { kind: 'status_503', scope: 'list_products', count: 2, after: 1 });
    const run = (await syncNow('outpost').expect(201)).body.data;
    expect(run).toMatchObject({ status: 'succeeded', retries: 2, pagesRead: 3 });
  });

  it('writes nothing when the retailer stays down mid-catalog, and the schedule tries again later', async () => {
    sim.setPrice('outpost', 'BOOT-42', 12900); // on the first page
    sim.setPrice('outpost', 'STOVE', 5900); // on the last
    sim.injectFaults('outpost', { kind: 'status_503', scope: 'list_products', count: 1000, after: 1 });
    const failed = documented('POST /api/v1/ops/stores/{slug}/catalog-sync', await syncNow('outpost').expect(502));
    expect(failed.error.code).toBe('catalog_sync_failed');
    expect(failed.error.details.run).toMatchObject({
      status: 'failed',
      errorTransient: true,
      pagesRead: 1,
      retries: 2,
      error: expect.stringContaining('503'),
    });
    const untouched = await storeProducts('outpost');
    expect([untouched['BOOT-42'].priceCents, untouched['STOVE'].priceCents]).toEqual([13900, 6400]);
    expect(await changesOf(failed.error.details.run.runId)).toEqual([]);

    // The schedule waits before trying a failing retailer again, then succeeds once it is back.
    sim.clearFaults('outpost');
    expect(await h.app.services.catalogSync.syncDueStores()).toEqual({ succeeded: 0, failed: 0 });
    h.clock.advance(FAILURE_BASE_MS);
    expect(await h.app.services.catalogSync.syncDueStores()).toEqual({ succeeded: 1, failed: 0 });
    const synced = await storeProducts('outpost');
    expect([synced['BOOT-42'].priceCents, synced['STOVE'].priceCents]).toEqual([12900, 5900]);
    const runs = documented(
      'GET /api/v1/ops/catalog/syncs',
      await h.http.get('/api/v1/ops/catalog/syncs?store=outpost&limit=2').set(ops).expect(200),
    );
    expect(runs.data.map((run: any) => `${run.trigger} ${run.status}`)).toEqual([
      'schedule succeeded',
      'manual failed',
    ]);
    expect(await h.app.services.catalogSync.syncDueStores()).toEqual({ succeeded: 0, failed: 0 });
  });

  it('refuses an empty catalog rather than making every product unavailable', async () => {
    await connectStore('emptied');
    await syncNow('emptied').expect(201);
    for (const sku of ['BOOT-42', 'CUP', 'KNIFE', 'ROPE', 'STOVE']) sim.removeSku('emptied', sku);
    const refused = (await syncNow('emptied').expect(502)).body.error.details.run;
    expect(refused).toMatchObject({
      status: 'failed',
      errorTransient: false,
      error: expect.stringContaining('no products'),
    });
    expect(Object.values(await storeProducts('emptied')).every((p: any) => p.available)).toBe(true);
  });

  it('records a retailer refusing the API key as a failure not worth retrying soon', async () => {
    sim.addRetailer('locked', { apiKey: 'the-right-key', catalog: { CUP: { priceCents: 1250 } } });
    await h.http
      .post('/api/v1/admin/stores')
      .set(admin)
      .send({
        slug: 'locked',
        name: 'Locked',
        placementMethod: 'api',
        placementConfig: { baseUrl: sim.baseUrlFor('locked'), apiKey: 'a-wrong-key' },
      })
      .expect(201);
    const refused = (await syncNow('locked').expect(502)).body.error.details.run;
    expect(refused).toMatchObject({
      status: 'failed',
      errorTransient: false,
      retries: 0,
      error: expect.stringContaining('401'),
    });
    // A transient failure is tried again after a minute; this one only after an hour.
    h.clock.advance(FAILURE_BASE_MS);
    await h.app.services.catalogSync.syncDueStores();
    const latest = (await h.http.get('/api/v1/ops/catalog/syncs?store=locked').set(ops).expect(200)).body;
    expect(latest.meta.totalRuns).toBe(1);
  });

  it('runs one sync of a store at a time', async () => {
    sim.setLatency('outpost', 300);
    const first = syncNow('outpost');
    const firstDone = first.then((res) => res);
    await waitFor(async () => {
      const res = await h.http.get('/api/v1/ops/catalog/syncs?store=outpost&limit=1').set(ops).expect(200);
      return res.body.data[0]?.status === 'running';
    });
    expect((await syncNow('outpost').expect(409)).body.error.code).toBe('request_in_progress');
    expect((await firstDone).status).toBe(201);
    sim.setLatency('outpost', 0);
  });

  it('answers stores it cannot sync, and people who may not, with clear errors', async () => {
    await h.http
      .post('/api/v1/admin/stores')
      .set(admin)
      .send({ slug: 'by-hand', name: 'By hand', placementMethod: 'manual' })
      .expect(201);
    const manual = documented('POST /api/v1/ops/stores/{slug}/catalog-sync', await syncNow('by-hand').expect(422));
    expect(manual.error.code).toBe('catalog_not_readable');
    expect((await syncNow('nowhere').expect(404)).body.error.code).toBe('store_not_found');
    expect(
      (await h.http.post('/api/v1/ops/stores/outpost/catalog-sync').set(bearer('shopper-9')).expect(403)).body.error
        .code,
    ).toBe('forbidden');
    expect(
      (await h.http.get('/api/v1/ops/catalog/changes?kind=nope').set(ops).expect(400)).body.error.details.fields,
    ).toHaveProperty('kind');
    const prices = documented(
      'GET /api/v1/ops/catalog/changes',
      await h.http.get('/api/v1/ops/catalog/changes?store=outpost&kind=price_changed').set(ops).expect(200),
    );
    expect(prices.meta.totalChanges).toBe(4);
    expect(prices.data.find((change: any) => change.sku === 'STOVE')).toMatchObject({
      oldPriceCents: 6400,
      newPriceCents: 5900,
      storeName: 'outpost outfitters',
    });
  });
});
