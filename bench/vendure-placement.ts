import type { AddressInfo } from 'node:net';
import { composeApp } from '../tests/support/compose-app';
import { createDb } from '../src/db/knex';
import { createStripeGateway } from '../src/payments/stripe-gateway';
import { createApiPlacementAdapter } from '../src/placement/api-adapter';
import { createBullmqPlacementQueue } from '../src/queue/bullmq-placement-queue';
import { startBullmqPlacementWorker } from '../src/queue/bullmq-placement-worker';
import { createPlatformCheckoutJournal } from '../src/repositories/platform-checkouts-repository';
import { startStripeSandbox } from '../src/sandbox/stripe';
import { startVendure } from '../tests/platforms/vendure/start';
import { newJwtSecret, signToken } from './support/checkout-shoppers';
import { createBenchDatabase } from './support/database';
import { intOption } from './support/options';
import { methodQueueName } from '../src/queue/placement-methods';
import { placementMethodsOf } from '../src/repositories/placement-routes-repository';
import { obliterateQueue, REDIS_URL, uniqueQueueName } from './support/queue';
import { runBenchmark } from './support/run';
import { summarize } from './support/stats';

/**
 * `npm run bench:vendure`: the time from `place` to `placed` when the store is a real Vendure (the test platform,
 * sql.js, in its own process). One checkout at a time (a mug and a lantern from one Vendure store), so each figure
 * is one order's path: the place request, the BullMQ hop, the Vendure connector's Shop API calls (about 10), the
 * move to placed. Measured from just before `POST /place` to the order's `placedAt`.
 *
 * Settings (flag or BENCH_* env): --orders (20), --warmup (2: orders placed first and not counted; the first pays
 * for Vendure's admin sign-in and cold code paths).
 */
const settings = { orders: intOption('orders', 20), warmup: intOption('warmup', 2) };
const ADDRESS = {
  name: 'Ada Lovelace',
  address1: '1 Market St',
  city: 'San Francisco',
  state: 'CA',
  zip: '94105',
  country: 'US',
  phone: '+14155550100',
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

runBenchmark(async (defer) => {
  const vendure = await startVendure();
  defer('stop Vendure', () => vendure.stop());
  const database = await createBenchDatabase();
  defer('drop the database', () => database.drop());
  const db = createDb(database.url, 10);
  defer('close the pool', () => db.destroy());
  const stripe = await startStripeSandbox({ port: 0 });
  defer('stop the Stripe sandbox', () => stripe.stop());
  const queueName = uniqueQueueName('vendure');
  defer('delete the queue', () => obliterateQueue(queueName));
  const queue = createBullmqPlacementQueue({
    redisUrl: REDIS_URL,
    queueName,
    methodsOf: (numbers) => placementMethodsOf(db, numbers),
  });
  defer('close the queue', () => queue.close());

  const jwtSecret = newJwtSecret();
  const { app, services } = composeApp({
    db,
    payments: createStripeGateway({ secretKey: 'sk_test_bench', apiUrl: stripe.url }),
    jwtSecret,
    placement: {
      adapters: [createApiPlacementAdapter({ journal: createPlatformCheckoutJournal(db) })],
      enqueue: (runs) => queue.enqueue(runs),
    },
  });
  const worker = await startBullmqPlacementWorker({
    redisUrl: REDIS_URL,
    queueName: methodQueueName(queueName, 'api'),
    gateQueueName: queueName,
    handler: (job, attempt) => services.placement.place(job, attempt),
    onExhausted: (job, error) => services.placement.exhausted(job, error),
  });
  defer('stop the worker', () => worker.close());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  defer('stop the API', () => new Promise((resolve) => server.close(resolve)));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;

  async function call(
    method: string,
    path: string,
    userId: string,
    role: 'shopper' | 'admin',
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${signToken(jwtSecret, userId, role)}`,
        'content-type': 'application/json',
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as { data?: any; error?: unknown };
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json.error)}`);
    return json.data;
  }

  const placementConfig = {
    platform: 'vendure',
    shopApiUrl: vendure.shopApiUrl,
    adminApiUrl: vendure.adminApiUrl,
    adminUsername: vendure.adminUsername,
    adminPassword: vendure.adminPassword,
    paymentMethodCode: vendure.paymentMethodCode,
    customerEmailAddress: 'purchasing@mor.example',
    orderReferenceField: vendure.orderReferenceField,
  };
  await call('POST', '/admin/stores', 'bench-admin', 'admin', {
    slug: 'vendure',
    name: 'Vendure shop',
    placementMethod: 'api',
    placementConfig,
    shipping: { flatCents: 500 },
  });
  // The products the test platform is populated with, at its prices.
  for (const [sku, name, priceCents] of [
    ['VND-MUG', 'Trail Mug', 1200],
    ['VND-LANTERN', 'Camp Lantern', 3600],
  ] as const) {
    await call('PUT', '/admin/products', 'bench-admin', 'admin', { storeSlug: 'vendure', sku, name, priceCents });
  }

  async function placeOne(index: number): Promise<number> {
    const userId = `bench-vendure-${index}`;
    await call('POST', '/cart/items', userId, 'shopper', { storeSlug: 'vendure', sku: 'VND-MUG', quantity: 2 });
    await call('POST', '/cart/items', userId, 'shopper', { storeSlug: 'vendure', sku: 'VND-LANTERN', quantity: 1 });
    const { sessionId } = await call('POST', '/checkout/sessions', userId, 'shopper');
    await call('PUT', `/checkout/sessions/${sessionId}/shipping`, userId, 'shopper', ADDRESS);
    await call('PUT', `/checkout/sessions/${sessionId}/payment`, userId, 'shopper', {
      paymentMethodId: 'pm_card_visa',
    });
    const started = Date.now();
    const placed = await call('POST', `/checkout/sessions/${sessionId}/place`, userId, 'shopper', undefined, {
      'idempotency-key': `bench-${index}`,
    });
    const orderNumber = placed.orders[0].orderNumber as string;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(10)) {
      const row = await db('orders').where({ order_number: orderNumber }).first('status', 'placed_at');
      if (row.status === 'placed') return row.placed_at.getTime() - started;
      if (row.status === 'failed') throw new Error(`order ${orderNumber} failed at Vendure`);
    }
    throw new Error(`order ${orderNumber} not placed within 60 s`);
  }

  for (let i = 0; i < settings.warmup; i += 1) await placeOne(-1 - i);
  const samples: number[] = [];
  for (let i = 0; i < settings.orders; i += 1) samples.push(await placeOne(i));
  const adapterMs = (
    await db('placement_attempts').where({ outcome: 'placed' }).orderBy('id').select('duration_ms')
  ).map((row) => row.duration_ms as number);
  const total = summarize(samples);
  const connector = summarize(adapterMs.slice(settings.warmup));
  console.log(`place → placed on Vendure, ${total.count} orders one at a time (after ${settings.warmup} warm-up):`);
  console.log(`  p50 ${total.p50} ms, p95 ${total.p95} ms, max ${total.max} ms`);
  console.log(`  of which the Vendure connector (Shop API calls): p50 ${connector.p50} ms, p95 ${connector.p95} ms`);
});
