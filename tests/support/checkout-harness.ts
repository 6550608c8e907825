import supertest from 'supertest';
import { composeApp, type AppDeps } from './compose-app';
import { createApiPlacementAdapter } from '../../src/placement/api-adapter';
import { createStripeGateway } from '../../src/payments/stripe-gateway';
import { startStripeSandbox, type StripeSandbox } from '../../src/sandbox/stripe';
import type { PlacementJob } from '../../src/queue/placement-queue';
import { ManualClock } from './manual-clock';
import { createTestDatabase, type TestDatabase } from './test-database';
import { bearer, TEST_JWT_SECRET } from './tokens';

export const ADDRESS = {
  name: 'Ada Lovelace',
  address1: '1 Market St',
  city: 'San Francisco',
  state: 'CA',
  zip: '94105',
  country: 'US',
  phone: '+14155550100',
};

export interface CheckoutHarness {
  http: ReturnType<typeof supertest>;
  database: TestDatabase;
  stripe: StripeSandbox;
  clock: ManualClock;
  app: ReturnType<typeof composeApp>;
  /** What the app was built from, to build a second one on the same database (a second API process). */
  deps: AppDeps;
  enqueued: PlacementJob[];
  seedCatalog(): Promise<void>;
  /** A store placed by people (`corner`, placement `manual`) selling one candle (`CANDLE`, 1,800 cents). */
  seedManualStore(): Promise<void>;
  addToCart(
    userId: string,
    storeSlug: string,
    sku: string,
    quantity?: number,
    extra?: Record<string, string>,
  ): Promise<void>;
  sessionReadyToPlace(userId: string, paymentMethodId?: string): Promise<string>;
  /** Checks out what the shopper's cart holds (session, ADDRESS, a card, place with the user id as the key). */
  placeCart(userId: string): Promise<{ sessionId: string; orders: { orderNumber: string }[] }>;
  close(): Promise<void>;
}

/**
 * The checkout service over HTTP against a fresh Postgres database and a real Stripe sandbox on loopback.
 * Placement runs are recorded, not run: these tests are about everything up to the hand-off to the queue
 * (tests/placement-*.test.ts run the real queue and adapters).
 */
export async function startCheckoutHarness(overrides: Partial<AppDeps> = {}): Promise<CheckoutHarness> {
  const database = await createTestDatabase();
  const stripe = await startStripeSandbox();
  const clock = new ManualClock();
  const enqueued: PlacementJob[] = [];
  const deps: AppDeps = {
    db: database.db,
    payments: createStripeGateway({ secretKey: 'sk_test_harness', apiUrl: stripe.url, maxNetworkRetries: 1 }),
    jwtSecret: TEST_JWT_SECRET,
    clock,
    placement: {
      adapters: [createApiPlacementAdapter()],
      enqueue: async (runs) => {
        enqueued.push(...runs);
      },
    },
    ...overrides,
  };
  const app = composeApp(deps);
  const http = supertest(app.app);
  const admin = bearer('admin-1', 'admin');

  /** A session of the shopper's cart with ADDRESS and the payment method: ready to place. */
  async function payableSession(userId: string, paymentMethodId: string): Promise<string> {
    const created = await http.post('/api/v1/checkout/sessions').set(bearer(userId)).expect(201);
    const sessionId = created.body.data.sessionId as string;
    await http.put(`/api/v1/checkout/sessions/${sessionId}/shipping`).set(bearer(userId)).send(ADDRESS).expect(200);
    await http
      .put(`/api/v1/checkout/sessions/${sessionId}/payment`)
      .set(bearer(userId))
      .send({ paymentMethodId })
      .expect(200);
    return sessionId;
  }
  const harness: CheckoutHarness = {
    http,
    database,
    stripe,
    clock,
    app,
    deps,
    enqueued,
    async seedCatalog() {
      const stores = [
        { slug: 'acme', name: 'Acme Outdoors', shipping: { flatCents: 599, freeAboveCents: 10000 } },
        { slug: 'globex', name: 'Globex Home', shipping: { flatCents: 0 } },
      ];
      for (const store of stores) {
        await http
          .post('/api/v1/admin/stores')
          .set(admin)
          .send({
            ...store,
            placementMethod: 'api',
            placementConfig: { baseUrl: `http://127.0.0.1:9/retailers/${store.slug}`, apiKey: `${store.slug}-key` },
          })
          .expect(201);
      }
      const products = [
        { storeSlug: 'acme', sku: 'TENT-2P', name: 'Two-person tent', priceCents: 12999 },
        { storeSlug: 'acme', sku: 'MUG', name: 'Enamel mug', priceCents: 1250 },
        { storeSlug: 'globex', sku: 'LAMP', name: 'Desk lamp', priceCents: 3499 },
        { storeSlug: 'globex', sku: 'OLD', name: 'Discontinued vase', priceCents: 999, available: false },
      ];
      for (const product of products) await http.put('/api/v1/admin/products').set(admin).send(product).expect(201);
    },
    async seedManualStore() {
      const admin = bearer('admin-1', 'admin');
      await http
        .post('/api/v1/admin/stores')
        .set(admin)
        .send({ slug: 'corner', name: 'Corner Shop', placementMethod: 'manual' })
        .expect(201);
      const candle = { sku: 'CANDLE', name: 'Candle', priceCents: 1800, productUrl: 'https://corner.example/candle' };
      await http
        .put('/api/v1/admin/products')
        .set(admin)
        .send({ storeSlug: 'corner', ...candle })
        .expect(201);
    },
    async addToCart(userId, storeSlug, sku, quantity = 1, extra = {}) {
      await http
        .post('/api/v1/cart/items')
        .set(bearer(userId))
        .send({ storeSlug, sku, quantity, ...extra })
        .expect(201);
    },
    async sessionReadyToPlace(userId, paymentMethodId = 'pm_card_visa') {
      await harness.addToCart(userId, 'acme', 'MUG', 2);
      await harness.addToCart(userId, 'globex', 'LAMP', 1);
      return payableSession(userId, paymentMethodId);
    },
    async placeCart(userId) {
      const sessionId = await payableSession(userId, 'pm_card_visa');
      const placed = await http
        .post(`/api/v1/checkout/sessions/${sessionId}/place`)
        .set(bearer(userId))
        .set('Idempotency-Key', userId)
        .expect(201);
      return { sessionId, orders: placed.body.data.orders };
    },
    async close() {
      await stripe.stop();
      await database.drop();
    },
  };
  return harness;
}
