import { admin, startPlacementHarness, type PlacementHarness } from './support/placement-harness';
import { usePlatform } from './support/test-platforms';
import { bearer } from './support/tokens';
import { vendureAdmin, type VendureAdmin } from './support/vendure-admin';
import { createVendureStore } from './support/vendure-store';
import type { VendurePlatform } from './platforms/vendure/start';

let h: PlacementHarness;
let platform: Omit<VendurePlatform, 'stop'>;
let release: () => Promise<void>;
let vendure: VendureAdmin;

beforeAll(async () => {
  ({ platform, release } = await usePlatform('vendure'));
  vendure = vendureAdmin(platform);
  h = await startPlacementHarness({ startWorker: false });
}, 180_000);
afterAll(async () => {
  await h?.close();
  await release?.();
});

const check = async (slug: string) =>
  (await h.http.post(`/api/v1/admin/stores/${slug}/check`).set(admin).expect(200)).body.data.checks as {
    name: string;
    ok: boolean;
    message: string;
  }[];
const byName = (checks: { name: string; ok: boolean; message: string }[]) =>
  Object.fromEntries(checks.map(({ name, ...rest }) => [name, rest]));
const vendureOrderCount = async () =>
  (await vendure.gql<{ orders: { totalItems: number } }>('{ orders { totalItems } }')).orders.totalItems;
const reconfigure = (slug: string, placementConfig: Record<string, unknown>) =>
  h.http.put(`/api/v1/admin/stores/${slug}`).set(admin).send({ placementConfig }).expect(200);

describe('POST /admin/stores/:slug/check', () => {
  it('when a Vendure store is set up right, then every check passes, the product is priced, and nothing is bought', async () => {
    const shop = await createVendureStore(h, platform, vendure, 'chk-good', {
      products: [{ name: 'Trail mug', priceCents: 1200 }],
    });
    const ordersBefore = await vendureOrderCount();
    const checks = await check(shop.slug);
    expect(checks.map((c) => c.name)).toEqual([
      'platform',
      'config',
      'reach',
      'authenticate',
      'payment_method',
      'shipping_method',
      'price',
    ]);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(byName(checks).price.message).toMatch(
      new RegExp(`${shop.skus[0]} costs 1200 USD cents before tax \\(1287 with tax; the same as our catalog\\)`),
    );
    expect(await vendureOrderCount()).toBe(ordersBefore);
  }, 60_000);

  it('when the Vendure config is wrong, then the check says what is wrong in words', async () => {
    const shop = await createVendureStore(h, platform, vendure, 'chk-bad');
    await reconfigure(shop.slug, { ...shop.placementConfig, adminPassword: 'not-the-password' });
    const refused = byName(await check(shop.slug));
    expect(refused.reach).toMatchObject({ ok: true });
    expect(refused.authenticate).toMatchObject({
      ok: false,
      message: expect.stringMatching(/sign-in refused.*adminUsername and adminPassword/),
    });
    expect(refused.price).toBeUndefined();

    await reconfigure(shop.slug, {
      ...shop.placementConfig,
      paymentMethodCode: 'cash-in-a-box',
      shippingMethodCode: 'by-balloon',
      shopApiUrl: 'http://127.0.0.1:9/shop-api',
    });
    const wrong = byName(await check(shop.slug));
    expect(wrong.reach).toMatchObject({ ok: false, message: expect.stringMatching(/connection failed/) });
    expect(wrong.authenticate).toMatchObject({ ok: true });
    expect(wrong.payment_method).toMatchObject({
      ok: false,
      message: 'payment method cash-in-a-box does not exist at this Vendure',
    });
    expect(wrong.shipping_method).toMatchObject({
      ok: false,
      message: expect.stringMatching(
        /no shipping method by-balloon \(the shop has: standard-shipping, express-shipping/,
      ),
    });

    // The API refuses to save such a config (400); one saved under older rules is still reported.
    await h.http
      .put(`/api/v1/admin/stores/${shop.slug}`)
      .set(admin)
      .send({ placementConfig: { platform: 'vendure', shopApiUrl: 'nope' } })
      .expect(400);
    await h.database
      .db('stores')
      .where({ slug: shop.slug })
      .update({ placement_config: { platform: 'vendure', shopApiUrl: 'nope' } });
    const incomplete = byName(await check(shop.slug));
    expect(incomplete.config).toMatchObject({
      ok: false,
      message: expect.stringMatching(/shopApiUrl must be an http\(s\) URL.*adminApiUrl/),
    });
  }, 60_000);

  it('when a Vendure store’s shipping option ids are not the shop’s method codes, then the check names them before any shopper chooses one', async () => {
    const shop = await createVendureStore(h, platform, vendure, 'chk-options');
    const setOptions = (options: { id: string; name: string; priceCents: number }[]) =>
      h.http.put(`/api/v1/admin/stores/${shop.slug}/shipping-options`).set(admin).send({ options }).expect(200);
    await setOptions([
      { id: 'standard-shipping', name: 'Standard', priceCents: 500 },
      { id: 'overnight-drone', name: 'Overnight drone', priceCents: 2500 },
    ]);
    const bad = await check(shop.slug);
    expect(bad.map((c) => c.name)).toEqual([
      'platform',
      'config',
      'reach',
      'authenticate',
      'payment_method',
      'shipping_method',
      'shipping_options',
      'price',
    ]);
    expect(byName(bad).shipping_options).toEqual({
      ok: false,
      message: expect.stringMatching(
        /shipping option overnight-drone is not a shipping method code at this Vendure \(the shop has: standard-shipping, express-shipping/,
      ),
    });
    expect(byName(bad).shipping_options.message).not.toMatch(/standard-shipping.*is not/);

    await setOptions([
      { id: 'standard-shipping', name: 'Standard', priceCents: 500 },
      { id: 'express-shipping', name: 'Express', priceCents: 1500 },
    ]);
    expect(byName(await check(shop.slug)).shipping_options).toMatchObject({ ok: true });
  }, 60_000);

  it('checks stores on the retailer order API, manual stores, and a store’s fallback method after its own', async () => {
    const api = await h.createApiStore('chk-api');
    const good = byName(await check(api.slug));
    expect(good).toMatchObject({
      platform: { ok: true },
      reach: { ok: true },
      authenticate: { ok: true },
      price: { ok: true, message: expect.stringMatching(/^1 × LANTERN quoted at \d+ cents/) },
    });
    expect(h.simulator.stats(api.slug)).toMatchObject({ orderRequests: 0 });

    const store = await h.database.db('stores').where({ slug: api.slug }).first();
    await reconfigure(api.slug, { ...store.placement_config, apiKey: 'wrong-key' });
    expect(byName(await check(api.slug))).toMatchObject({
      reach: { ok: true },
      authenticate: { ok: false, message: expect.stringMatching(/refused the apiKey/) },
    });

    const manual = await h.createManualStore('chk-manual');
    expect(await check(manual.slug)).toEqual([{ name: 'manual', ok: true, message: expect.any(String) }]);

    const withFallback = await h.createApiStore('chk-fallback', { fallbackMethod: 'manual' });
    expect((await check(withFallback.slug)).map((c) => c.name)).toEqual([
      'platform',
      'config',
      'reach',
      'authenticate',
      'price',
      'fallback.manual',
    ]);
  }, 60_000);

  it('is for admins only, and names a store that does not exist', async () => {
    const refused = await h.http.post('/api/v1/admin/stores/chk-api/check').set(bearer('chk-shopper')).expect(403);
    expect(refused.body.error.code).toBe('forbidden');
    const missing = await h.http.post('/api/v1/admin/stores/no-such-store/check').set(admin).expect(404);
    expect(missing.body.error.code).toBe('store_not_found');
  });
});
