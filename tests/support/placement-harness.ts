import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import supertest from 'supertest';
import { composeApp } from './compose-app';
import type { ServiceWiring } from '../../src/services/create-services';
import { createStripeGateway } from '../../src/payments/stripe-gateway';
import { createApiPlacementAdapter } from '../../src/placement/api-adapter';
import { createBrowserPool } from '../../src/placement/browser-pool';
import { createHeadlessPlacementAdapter } from '../../src/placement/headless-adapter';
import demoRecipe from '../../src/placement/recipes/demo-storefront-recipe.json';
import { createBullmqPlacementQueue } from '../../src/queue/bullmq-placement-queue';
import { createBullmqQueueControl } from '../../src/queue/bullmq-queue-control';
import { createPlatformCheckoutJournal } from '../../src/repositories/platform-checkouts-repository';
import type { BullmqPlacementWorkerOptions } from '../../src/queue/bullmq-placement-worker';
import { startPlacementFleet } from '../../src/queue/placement-fleet';
import { QUEUE_METHODS, type QueueMethod } from '../../src/queue/placement-methods';
import { placementMethodsOf } from '../../src/repositories/placement-routes-repository';
import type { PlacementWorkerHandle } from '../../src/queue/placement-queue';
import { startRetailerApiSimulator, type RetailerSetup } from '../../src/sandbox/retailer-api';
import { startDemoStorefront, type DemoProductInput } from '../../src/sandbox/storefront/demo-storefront';
import { startStripeSandbox } from '../../src/sandbox/stripe';
import type { ServiceSettings } from '../../src/services/service-deps';
import { ADDRESS } from './checkout-harness';
import { createTestDatabase } from './test-database';
import { bearer, TEST_JWT_SECRET } from './tokens';
import { waitFor } from './wait-for';

export { ADDRESS, waitFor };
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Tax the service charges for ADDRESS (CA, 7.25 %); the stand-in retailers charge the same, so quotes match. */
export const TAX_BASIS_POINTS = 725;
export const STOREFRONT_CREDENTIALS = { username: 'buyer@mor.example', password: 'storefront-password' };
export const STOREFRONT_PRODUCTS: DemoProductInput[] = [
  { sku: 'TEE-ORG', name: 'Organic cotton tee', priceCents: 2400, sizes: ['S', 'M', 'L'], colors: ['white', 'navy'] },
  { sku: 'HOODIE', name: 'Fleece hoodie', priceCents: 5800, sizes: ['M', 'L'], colors: ['grey', 'black'] },
];

export const admin = bearer('admin-1', 'admin');
export const ops = bearer('ops-1', 'ops');

export interface PlacementHarnessOptions {
  /** Start the in-process worker at once (default); false leaves the queue unconsumed until `startWorker()`. */
  startWorker?: boolean;
  /** BullMQ key prefix. `bull` (BullMQ's default) is what `src/worker.ts` uses, for tests that spawn it. */
  prefix?: string;
  /** Tries per job, the first included. */
  attempts?: number;
  worker?: Partial<
    Pick<
      BullmqPlacementWorkerOptions,
      'breaker' | 'lockDurationMs' | 'stalledIntervalMs' | 'concurrency' | 'pausedRecheckMs'
    >
  >;
  /** Service settings other than the defaults (e.g. the status poll schedule). */
  settings?: Partial<ServiceSettings>;
  /** Outbound events wiring (tests/support/events-harness.ts). */
  events?: ServiceWiring['events'];
}

export interface Product {
  sku: string;
  name: string;
  priceCents: number;
}

export interface ApiStoreOptions {
  fallbackMethod?: 'manual' | 'headless';
  priceToleranceCents?: number;
  shippingCents?: number;
  products?: Product[];
  retailer?: Partial<RetailerSetup>;
}

export interface Line {
  storeSlug: string;
  sku: string;
  quantity?: number;
  size?: string;
  color?: string;
}

export interface PlacedOrder {
  orderNumber: string;
  storeId: string;
  storeName: string;
  placementMethod: string;
  status: string;
  totalCents: number;
}

export interface Checkout {
  sessionId: string;
  paymentIntentId: string;
  chargedCents: number;
  orders: PlacedOrder[];
  /** The order of one store, by the store's name. */
  orderOf(storeName: string): PlacedOrder;
}

const DEFAULT_PRODUCTS: Product[] = [
  { sku: 'MUG', name: 'Enamel mug', priceCents: 1250 },
  { sku: 'LANTERN', name: 'LED lantern', priceCents: 2999 },
];

/**
 * The whole placement pipeline for integration tests: the app over HTTP on a fresh Postgres database, the Stripe
 * sandbox, a BullMQ queue (unique name and prefix per harness) consumed by an in-process worker running the real
 * api, headless and manual adapters against the retailer API simulator and the demo storefront on loopback.
 * Retries and the breaker are tuned down (50 ms backoff) so failure paths take milliseconds, not minutes.
 */
export async function startPlacementHarness(options: PlacementHarnessOptions = {}) {
  const prefix = options.prefix ?? `test-placement-${randomBytes(4).toString('hex')}`;
  const queueName = `placements-${randomBytes(6).toString('hex')}`;
  const database = await createTestDatabase();
  const stripe = await startStripeSandbox();
  const simulator = await startRetailerApiSimulator();
  const storefront = await startDemoStorefront({
    credentials: STOREFRONT_CREDENTIALS,
    products: STOREFRONT_PRODUCTS,
    taxBasisPoints: TAX_BASIS_POINTS,
  });
  const artifactsDir = await mkdtemp(join(tmpdir(), 'placement-artifacts-'));
  // Chromium starts on the first headless placement only; files without one never launch it.
  const browserPool = createBrowserPool({ maxPages: 2 });
  const methodsOf = (orderNumbers: string[]) => placementMethodsOf(database.db, orderNumbers);
  const queue = createBullmqPlacementQueue({
    redisUrl: REDIS_URL,
    queueName,
    prefix,
    attempts: options.attempts ?? 4,
    methodsOf,
  });
  const queueControl = createBullmqQueueControl({ redisUrl: REDIS_URL, queueName, prefix });
  const app = composeApp({
    db: database.db,
    payments: createStripeGateway({ secretKey: 'sk_test_placement', apiUrl: stripe.url, maxNetworkRetries: 0 }),
    jwtSecret: TEST_JWT_SECRET,
    settings: options.settings,
    placement: {
      adapters: [
        createApiPlacementAdapter({ journal: createPlatformCheckoutJournal(database.db) }),
        createHeadlessPlacementAdapter({ browserPool, artifactsDir }),
      ],
      enqueue: (runs) => queue.enqueue(runs),
      queueControl,
      // Every pause check reads the database: a test's pause holds the very next job.
      pauseCacheMs: 0,
      events: options.events,
    },
    artifactsDir,
    boardQueues: queueControl.queues,
  });
  const http = supertest(app.app);
  let worker: PlacementWorkerHandle | undefined;

  async function createStore(body: Record<string, unknown>, products: Product[]): Promise<string> {
    const res = await http.post('/api/v1/admin/stores').set(admin).send(body).expect(201);
    for (const product of products) {
      await http
        .put('/api/v1/admin/products')
        .set(admin)
        .send({ storeSlug: body.slug, ...product, productUrl: `https://shop.example/${body.slug}/${product.sku}` })
        .expect(201);
    }
    return res.body.data.storeId as string;
  }

  const harness = {
    http,
    database,
    stripe,
    simulator,
    storefront,
    app,
    queue,
    queueControl,
    artifactsDir,
    queueName,
    prefix,

    /** A worker taking every method's queue (one BullMQ consumer per method queue), as `npm run worker` does. */
    async startWorker(
      overrides: PlacementHarnessOptions['worker'] = {},
      methods: readonly QueueMethod[] = QUEUE_METHODS,
    ): Promise<void> {
      const { concurrency = 50, ...rest } = { ...options.worker, ...overrides };
      worker = await startPlacementFleet({
        redisUrl: REDIS_URL,
        queueName,
        prefix,
        methods,
        producer: queue,
        concurrencyOf: { api: concurrency, headless: concurrency, manual: concurrency },
        handler: (job, attempt) => app.services.placement.place(job, attempt),
        onExhausted: (job, error) => app.services.placement.exhausted(job, error),
        isStorePaused: (storeId) => app.services.storeLevers.isPaused(storeId),
        storeSlotLimit: (storeId) => app.services.storeLevers.slotLimit(storeId),
        backoff: { baseMs: 50, maxMs: 200 },
        storeBusyDelayMs: 50,
        ...rest,
      });
    },

    async stopWorker(): Promise<void> {
      await worker?.close();
      worker = undefined;
    },

    breakerState: (storeId: string) => worker!.getBreakerState(storeId),

    /** A store placed through the retailer order API: a simulated retailer with the same slug, prices and tax. */
    async createApiStore(slug: string, store: ApiStoreOptions = {}) {
      const products = store.products ?? DEFAULT_PRODUCTS;
      const { baseUrl } = simulator.addRetailer(slug, {
        apiKey: `${slug}-key`,
        catalog: Object.fromEntries(products.map((p) => [p.sku, { priceCents: p.priceCents }])),
        taxBasisPoints: TAX_BASIS_POINTS,
        shippingCents: store.shippingCents ?? 0,
        ...store.retailer,
      });
      const storeId = await createStore(
        {
          slug,
          name: `Store ${slug}`,
          placementMethod: 'api',
          placementConfig: { baseUrl, apiKey: `${slug}-key`, timeoutMs: 5000 },
          fallbackMethod: store.fallbackMethod,
          priceToleranceCents: store.priceToleranceCents,
          shipping: { flatCents: store.shippingCents ?? 0 },
        },
        products,
      );
      return { storeId, slug, name: `Store ${slug}` };
    },

    /** A store placed by driving the demo storefront in Chromium with the demo recipe. */
    async createHeadlessStore(slug: string) {
      const placementConfig = {
        baseUrl: storefront.url,
        credentials: STOREFRONT_CREDENTIALS,
        payment: { cardNumber: '4242424242424242', expiry: '12/30', cvc: '123' },
        recipe: demoRecipe,
        selectorTimeoutMs: 5_000,
        navigationTimeoutMs: 15_000,
      };
      const storeId = await createStore(
        { slug, name: `Store ${slug}`, placementMethod: 'headless', placementConfig, priceToleranceCents: 0 },
        STOREFRONT_PRODUCTS.map(({ sku, name, priceCents }) => ({ sku, name, priceCents })),
      );
      return { storeId, slug, name: `Store ${slug}` };
    },

    /** A store only people can buy from: every order becomes an ops task. */
    async createManualStore(slug: string, products: Product[] = DEFAULT_PRODUCTS) {
      const storeId = await createStore({ slug, name: `Store ${slug}`, placementMethod: 'manual' }, products);
      return { storeId, slug, name: `Store ${slug}` };
    },

    /** Puts the lines in the shopper's cart, checks out to ADDRESS with a Visa and places: one charge, one order per store. */
    async checkout(userId: string, lines: Line[]): Promise<Checkout> {
      const shopper = bearer(userId);
      for (const { quantity = 1, ...line } of lines) {
        await http
          .post('/api/v1/cart/items')
          .set(shopper)
          .send({ quantity, ...line })
          .expect(201);
      }
      const created = await http.post('/api/v1/checkout/sessions').set(shopper).expect(201);
      const sessionId = created.body.data.sessionId as string;
      await http.put(`/api/v1/checkout/sessions/${sessionId}/shipping`).set(shopper).send(ADDRESS).expect(200);
      await http
        .put(`/api/v1/checkout/sessions/${sessionId}/payment`)
        .set(shopper)
        .send({ paymentMethodId: 'pm_card_visa' })
        .expect(200);
      const placed = await http
        .post(`/api/v1/checkout/sessions/${sessionId}/place`)
        .set(shopper)
        .set('Idempotency-Key', `place-${sessionId}`)
        .expect(201);
      const data = placed.body.data as Omit<Checkout, 'orderOf'>;
      return {
        ...data,
        sessionId,
        orderOf: (storeName) => {
          const order = data.orders.find((o) => o.storeName === storeName);
          if (!order) throw new Error(`no order for ${storeName} in ${sessionId}`);
          return order;
        },
      };
    },

    /** GET /orders/:orderNumber as ops (who may read any order). */
    async order(orderNumber: string) {
      return (await http.get(`/api/v1/orders/${orderNumber}`).set(ops).expect(200)).body.data;
    },

    /** Polls the order over HTTP until `done` holds; returns the order as last read. */
    async waitForOrder(orderNumber: string, done: (order: any) => boolean, timeoutMs = 20_000) {
      return waitFor(
        async () => {
          const order = await harness.order(orderNumber);
          return done(order) ? order : undefined;
        },
        timeoutMs,
        `order ${orderNumber}`,
      );
    },

    waitForStatus: (orderNumber: string, status: string, timeoutMs?: number) =>
      harness.waitForOrder(orderNumber, (order) => order.status === status, timeoutMs),

    async session(userId: string, sessionId: string) {
      return (await http.get(`/api/v1/checkout/sessions/${sessionId}`).set(bearer(userId)).expect(200)).body.data;
    },

    /** The order's live (open or claimed) ops task, via the ops API. */
    async liveTaskOf(orderNumber: string) {
      for (const status of ['open', 'claimed']) {
        const tasks = (await http.get('/api/v1/ops/tasks').query({ status, limit: 100 }).set(ops).expect(200)).body
          .data;
        const task = tasks.find((t: { orderNumber: string }) => t.orderNumber === orderNumber);
        if (task) return task;
      }
      return undefined;
    },

    /** Every try the pipeline recorded for the order (no HTTP API exposes them; ops read them in the database). */
    async attemptsOf(orderNumber: string) {
      return database
        .db('placement_attempts as a')
        .join('orders as o', 'o.id', 'a.order_id')
        .where('o.order_number', orderNumber)
        .orderBy('a.id')
        .select('a.*');
    },

    async ledger(sessionId: string) {
      return database.db('payment_transactions').where({ checkout_session_id: sessionId }).orderBy('created_at');
    },

    async close(): Promise<void> {
      await harness.stopWorker();
      await queue.close();
      await queueControl.close();
      // The method queues (`<name>-api` …) and the routes and gates beside the base name.
      await deleteRedisKeys(`${prefix}:${queueName}*`);
      await browserPool.close();
      await Promise.all([storefront.stop(), simulator.close(), stripe.stop()]);
      await rm(artifactsDir, { recursive: true, force: true });
      await database.drop();
    },
  };

  if (options.startWorker !== false) await harness.startWorker();
  return harness;
}

export type PlacementHarness = Awaited<ReturnType<typeof startPlacementHarness>>;

/** The queue's keys and the store gates beside them: nothing of a test run stays in Redis. */
async function deleteRedisKeys(pattern: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    for await (const keys of redis.scanStream({ match: pattern, count: 500 })) {
      if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
    }
  } finally {
    await redis.quit();
  }
}
