import demoRecipe from '../src/placement/recipes/demo-storefront-recipe.json';
import { createApiPlacementAdapter } from '../src/placement/api-adapter';
import { createBrowserPool } from '../src/placement/browser-pool';
import { createHeadlessPlacementAdapter } from '../src/placement/headless-adapter';
import { startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';
import { bearer } from './support/tokens';

let h: CheckoutHarness;
const browserPool = createBrowserPool({ maxPages: 1 }); // lazy: validating a recipe launches no browser
beforeAll(async () => {
  h = await startCheckoutHarness({
    placement: {
      adapters: [
        createApiPlacementAdapter(),
        createHeadlessPlacementAdapter({ browserPool, artifactsDir: '/tmp/mor-artifacts' }),
      ],
      enqueue: async () => {},
    },
  });
});
afterAll(async () => {
  await browserPool.close();
  await h.close();
});

const admin = bearer('admin-1', 'admin');
const headlessConfig = (recipe: unknown) => ({
  baseUrl: 'http://127.0.0.1:4100',
  credentials: { username: 'buyer@example.com', password: 'secret' },
  payment: { cardNumber: '4242424242424242', expiry: '12/30', cvc: '123' },
  recipe,
});

describe('saving a store checks its placement configuration', () => {
  it('accepts a headless store with a valid recipe, and never shows its config or secrets publicly', async () => {
    const res = await h.http
      .post('/api/v1/admin/stores')
      .set(admin)
      .send({
        slug: 'outfitters',
        name: 'Outfitters',
        placementMethod: 'headless',
        placementConfig: headlessConfig(demoRecipe),
        webhookSecret: 'a-webhook-secret-123',
        fallbackMethod: 'manual',
      })
      .expect(201);
    expect(res.body.data).toMatchObject({
      slug: 'outfitters',
      placementMethod: 'headless',
      fallbackMethod: 'manual',
      hasWebhookSecret: true,
    });
    const listed = await h.http.get('/api/v1/stores').expect(200);
    const text = JSON.stringify(listed.body);
    expect(text).not.toContain('secret');
    expect(text).not.toContain('placementConfig');
  });

  it('names the broken recipe step and the missing fields', async () => {
    const broken = structuredClone(demoRecipe) as { steps: Record<string, unknown>[] };
    delete broken.steps[2].selector; // a fill without its selector
    broken.steps[3] = { type: 'teleport' };
    const res = await h.http
      .post('/api/v1/admin/stores')
      .set(admin)
      .send({
        slug: 'broken',
        name: 'Broken',
        placementMethod: 'headless',
        placementConfig: { ...headlessConfig(broken), credentials: { username: '' } },
      });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    const fields = Object.keys(res.body.error.details.fields);
    expect(fields).toEqual(
      expect.arrayContaining([
        'placementConfig.recipe.steps.2.selector',
        'placementConfig.recipe.steps.3.type',
        'placementConfig.credentials.username',
      ]),
    );
  });

  it('checks an api store’s URL and key, a headless fallback’s own settings, and a fallback equal to the method', async () => {
    const api = await h.http
      .post('/api/v1/admin/stores')
      .set(admin)
      .send({
        slug: 'bad-api',
        name: 'Bad',
        placementMethod: 'api',
        placementConfig: { baseUrl: 'not a url', apiKey: '' },
      });
    expect(Object.keys(api.body.error.details.fields)).toEqual(
      expect.arrayContaining(['placementConfig.baseUrl', 'placementConfig.apiKey']),
    );
    const fallback = await h.http
      .post('/api/v1/admin/stores')
      .set(admin)
      .send({
        slug: 'fb',
        name: 'Fallback',
        placementMethod: 'api',
        placementConfig: { baseUrl: 'http://127.0.0.1:1/x', apiKey: 'k', fallback: { baseUrl: 'http://x' } },
        fallbackMethod: 'headless',
      });
    expect(fallback.status).toBe(400);
    expect(Object.keys(fallback.body.error.details.fields).some((f) => f.startsWith('placementConfig.fallback.'))).toBe(
      true,
    );
    const same = await h.http
      .post('/api/v1/admin/stores')
      .set(admin)
      .send({
        slug: 'same',
        name: 'Same',
        placementMethod: 'headless',
        placementConfig: headlessConfig(demoRecipe),
        fallbackMethod: 'headless',
      });
    expect(same.body.error.details.fields.fallbackMethod).toBe('must differ from placementMethod');
  });

  it('checks the configuration again when a store is updated, and refuses a duplicate slug', async () => {
    const update = await h.http
      .put('/api/v1/admin/stores/outfitters')
      .set(admin)
      .send({ placementConfig: headlessConfig({ version: 2, steps: [] }) });
    expect(update.status).toBe(400);
    expect(Object.keys(update.body.error.details.fields).some((f) => f.startsWith('placementConfig.recipe'))).toBe(
      true,
    );
    const dup = await h.http
      .post('/api/v1/admin/stores')
      .set(admin)
      .send({ slug: 'outfitters', name: 'Again', placementMethod: 'manual' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('store_exists');
    const missing = await h.http.put('/api/v1/admin/stores/nowhere').set(admin).send({ name: 'X' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('store_not_found');
  });
});
