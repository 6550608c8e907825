import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { loadConfig } from '../src/config';
import { createApiPlacementAdapter } from '../src/placement/api-adapter';
import { ADDRESS, startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';
import { bearer } from './support/tokens';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('idempotency keys and answers that did nothing', () => {
  let h: CheckoutHarness;
  beforeAll(async () => {
    h = await startCheckoutHarness();
    await h.seedCatalog();
  });
  afterAll(() => h.close());

  it('a key first used before the address was set places the checkout once the address is set', async () => {
    await h.addToCart('idem-1', 'acme', 'MUG', 1);
    const sessionId = (await h.http.post('/api/v1/checkout/sessions').set(bearer('idem-1')).expect(201)).body.data
      .sessionId;
    const place = () =>
      h.http
        .post(`/api/v1/checkout/sessions/${sessionId}/place`)
        .set(bearer('idem-1'))
        .set('Idempotency-Key', 'idem-1-key');
    expect((await place()).body.error.code).toBe('session_incomplete');
    await h.http.put(`/api/v1/checkout/sessions/${sessionId}/shipping`).set(bearer('idem-1')).send(ADDRESS).expect(200);
    await h.http
      .put(`/api/v1/checkout/sessions/${sessionId}/payment`)
      .set(bearer('idem-1'))
      .send({ paymentMethodId: 'pm_card_visa' })
      .expect(200);
    const placed = await place();
    expect(placed.status).toBe(201);
    expect(placed.headers['idempotent-replayed']).toBeUndefined();
    const replay = await place();
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(placed.body);
  });

  it('a decline did something: its answer is replayed for the same key', async () => {
    const sessionId = await h.sessionReadyToPlace('idem-2', 'pm_card_chargeDeclined');
    const place = () =>
      h.http
        .post(`/api/v1/checkout/sessions/${sessionId}/place`)
        .set(bearer('idem-2'))
        .set('Idempotency-Key', 'idem-2-key');
    const first = await place();
    expect(first.status).toBe(402);
    await h.http
      .put(`/api/v1/checkout/sessions/${sessionId}/payment`)
      .set(bearer('idem-2'))
      .send({ paymentMethodId: 'pm_card_visa' })
      .expect(200);
    const again = await place();
    expect(again.status).toBe(402);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });
});

describe('headers and operational pages', () => {
  let h: CheckoutHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('sends helmet headers, no-store on API answers and no HSTS unless configured', async () => {
    const h1 = (h = await startCheckoutHarness());
    const res = await h1.http.get('/api/v1/cart').set(bearer('hd-1')).expect(200);
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'cache-control': 'no-store',
    });
    expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect((await h1.http.get('/api/v1/cart')).headers['cache-control']).toBe('no-store');
  });

  it('closes /api/docs and guards /metrics as configured, and sends HSTS when asked', async () => {
    const h2 = (h = await startCheckoutHarness({
      http: {
        apiDocs: false,
        metrics: { access: 'token', token: 'metrics-token-0123456789' },
        hstsMaxAgeSeconds: 31_536_000,
      },
    }));
    expect((await h2.http.get('/api/docs.json')).status).toBe(404);
    expect((await h2.http.get('/api/docs/')).status).toBe(404);
    expect((await h2.http.get('/metrics')).status).toBe(401);
    expect((await h2.http.get('/metrics').set('Authorization', 'Bearer metrics-token-0123456789')).status).toBe(200);
    const res = await h2.http.get('/healthz').expect(200);
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });

  it('in production closes docs and metrics by default and sends HSTS', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(32),
      DATABASE_URL: 'postgres://db/x',
      STRIPE_SECRET_KEY: 'sk_live_x',
    });
    expect(config.http).toMatchObject({
      apiDocs: false,
      metrics: { access: 'closed' },
      hstsMaxAgeSeconds: 180 * 86_400,
    });
    expect(
      loadConfig({
        NODE_ENV: 'production',
        JWT_SECRET: 'x'.repeat(32),
        DATABASE_URL: 'postgres://db/x',
        STRIPE_SECRET_KEY: 'sk_live_x',
        METRICS_TOKEN: 'y'.repeat(20),
        API_DOCS: 'on',
      }).http,
    ).toMatchObject({ apiDocs: true, metrics: { access: 'token' } });
  });
});

describe('configuration that cannot leak', () => {
  it('uses the development secret only on the embedded defaults, a random one per start otherwise', () => {
    const embedded = loadConfig({});
    expect(embedded.jwtSecretSource).toBe('development');
    expect(embedded.warnings.join()).toMatch(/JWT_SECRET/);
    for (const env of [{ DATABASE_URL: 'postgres://db/x' }, { STRIPE_SECRET_KEY: 'sk_test_x' }]) {
      const first = loadConfig(env);
      const second = loadConfig(env);
      expect(first.jwtSecretSource).toBe('random');
      expect(first.jwtSecret).not.toBe(embedded.jwtSecret);
      expect(first.jwtSecret).not.toBe(second.jwtSecret);
      expect(first.warnings.join()).toMatch(/random secret/);
    }
    expect(loadConfig({ JWT_SECRET: 's'.repeat(20), DATABASE_URL: 'postgres://db/x' })).toMatchObject({
      jwtSecretSource: 'env',
      warnings: [],
    });
  });

  it('refuses CHAOS_CRASH_AT in production and several processes without a shared secret', () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(32),
      DATABASE_URL: 'postgres://db/x',
      STRIPE_SECRET_KEY: 'sk_live_x',
    };
    expect(() => loadConfig({ ...production, CHAOS_CRASH_AT: 'place.after_charge' })).toThrow(/CHAOS_CRASH_AT/);
    expect(() => loadConfig({ WEB_CONCURRENCY: '2', DATABASE_URL: 'postgres://db/x', REDIS_URL: 'redis://r' })).toThrow(
      /JWT_SECRET/,
    );
  });
});

describe('rate limits', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 3 });
  });
  afterAll(() => redis.quit());

  it('limit a shopper’s payment attempts across processes (one Redis), with 429 rate_limited and Retry-After', async () => {
    const prefix = `test-rl-${randomBytes(4).toString('hex')}:`;
    const limits = { rateLimits: { windowMs: 60_000, shopperPaymentsPerWindow: 3, anonymousPerWindow: 0 } };
    const a = await startCheckoutHarness({ http: limits, rateLimitRedis: redis, rateLimitPrefix: prefix });
    try {
      await a.seedCatalog();
      // A second app on the same database and Redis stands for a second API process.
      const { composeApp } = await import('./support/compose-app');
      const supertest = (await import('supertest')).default;
      const b = supertest(composeApp({ ...a.deps, http: limits, rateLimitRedis: redis, rateLimitPrefix: prefix }).app);
      const sessionId = await a.sessionReadyToPlace('rl-1'); // one payment change
      const setPayment = (http: typeof b) =>
        http
          .put(`/api/v1/checkout/sessions/${sessionId}/payment`)
          .set(bearer('rl-1'))
          .send({ paymentMethodId: 'pm_card_chargeDeclined' });
      expect((await setPayment(b)).status).toBe(200);
      expect((await setPayment(a.http)).status).toBe(200);
      const limited = await h(b, sessionId);
      expect(limited.status).toBe(429);
      expect(limited.body.error).toMatchObject({
        code: 'rate_limited',
        details: { retryAfterSeconds: expect.any(Number) },
      });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // Another shopper is not limited by this one.
      await a.addToCart('rl-2', 'acme', 'MUG', 1);
      const other = (await a.http.post('/api/v1/checkout/sessions').set(bearer('rl-2')).expect(201)).body.data
        .sessionId;
      expect(
        (
          await a.http
            .put(`/api/v1/checkout/sessions/${other}/payment`)
            .set(bearer('rl-2'))
            .send({ paymentMethodId: 'pm_card_visa' })
        ).status,
      ).toBe(200);
    } finally {
      await a.close();
    }
    function h(http: ReturnType<typeof import('supertest')>, id: string) {
      return http.post(`/api/v1/checkout/sessions/${id}/place`).set(bearer('rl-1')).set('Idempotency-Key', 'rl-1-a');
    }
  });

  it('limit unauthenticated routes and webhooks per address, refusing before any signature or database work', async () => {
    const secret = 'whsec_rate_limit_test';
    const h = await startCheckoutHarness({
      http: { rateLimits: { windowMs: 60_000, shopperPaymentsPerWindow: 0, anonymousPerWindow: 2 } },
      placement: { adapters: [createApiPlacementAdapter()], enqueue: async () => {}, stripeWebhookSecret: secret },
    });
    try {
      expect((await h.http.get('/api/v1/stores')).status).toBe(200);
      const bad = await h.http
        .post('/api/v1/webhooks/stripe')
        .set('Stripe-Signature', 't=1,v1=bad')
        .send({ id: 'evt_x' });
      expect(bad.status).toBe(401);
      const payload = JSON.stringify({
        id: 'evt_rl',
        object: 'event',
        type: 'refund.updated',
        data: { object: { id: 're_x', status: 'pending' } },
      });
      const signature = new Stripe('sk_test_x').webhooks.generateTestHeaderString({ payload, secret });
      const limited = await h.http
        .post('/api/v1/webhooks/stripe')
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', signature)
        .send(payload);
      expect(limited.status).toBe(429);
      expect(limited.headers['retry-after']).toBeDefined();
      expect(await h.database.db('provider_webhook_events').where({ id: 'evt_rl' })).toEqual([]);
      // Authenticated routes are not counted per address.
      expect((await h.http.get('/api/v1/cart').set(bearer('rl-3'))).status).toBe(200);
    } finally {
      await h.close();
    }
  });
});
