import { composeApp } from './support/compose-app';
import { createApiPlacementAdapter } from '../src/placement/api-adapter';
import { createStripeGateway } from '../src/payments/stripe-gateway';
import { createInProcessPlacementQueue } from '../src/queue/in-process-placement-queue';
import { startRetailerApiSimulator, type RetailerApiSimulator } from '../src/sandbox/retailer-api';
import { startStripeSandbox, type StripeSandbox } from '../src/sandbox/stripe';
import { ADDRESS } from './support/checkout-harness';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { bearer, TEST_JWT_SECRET } from './support/tokens';
import supertest from 'supertest';

let database: TestDatabase;
let stripe: StripeSandbox;
let retailers: RetailerApiSimulator;
beforeAll(async () => {
  database = await createTestDatabase();
  stripe = await startStripeSandbox();
  retailers = await startRetailerApiSimulator();
});
afterAll(async () => {
  await retailers.close();
  await stripe.stop();
  await database.drop();
});

class ProcessDied extends Error {}

/** One API process as `npm start` builds it without Redis: placement runs on the in-process queue. */
function startProcess(options: { dieAfterBuying?: boolean } = {}) {
  let dying = options.dieAfterBuying ?? false;
  const queue = createInProcessPlacementQueue({
    // The dying process must stop before its queue retries: its retry waits a full minute.
    backoff: options.dieAfterBuying ? { baseMs: 60_000, maxMs: 60_000 } : { baseMs: 10, maxMs: 50 },
    random: () => 1,
  });
  const app = composeApp({
    db: database.db,
    payments: createStripeGateway({ secretKey: 'sk_test_restart', apiUrl: stripe.url }),
    jwtSecret: TEST_JWT_SECRET,
    placement: { adapters: [createApiPlacementAdapter()], enqueue: (runs) => queue.enqueue(runs) },
    crashpoint: (name) => {
      if (dying && name === 'placement.after_adapter') {
        dying = false;
        throw new ProcessDied('the process died before recording the placement');
      }
    },
  });
  const services = app.services;
  queue.start({
    handler: (job, attempt) => services.placement.place(job, attempt),
    onExhausted: (job, error) => services.placement.exhausted(job, error),
  });
  return { http: supertest(app.app), services, queue };
}

describe('restarting the API with in-process placement', () => {
  it('resumes an order the stopped process was placing, and it is bought exactly once', async () => {
    const { baseUrl } = retailers.addRetailer('acme', {
      apiKey: 'acme-key',
      catalog: { TENT: { priceCents: 10000, stock: 5 } },
    });
    const first = startProcess({ dieAfterBuying: true });
    const admin = bearer('admin-1', 'admin');
    await first.http
      .post('/api/v1/admin/stores')
      .set(admin)
      .send({
        slug: 'acme',
        name: 'Acme',
        placementMethod: 'api',
        placementConfig: { baseUrl, apiKey: 'acme-key' },
        priceToleranceCents: 5000,
      })
      .expect(201);
    await first.http
      .put('/api/v1/admin/products')
      .set(admin)
      .send({ storeSlug: 'acme', sku: 'TENT', name: 'Tent', priceCents: 10000 })
      .expect(201);
    const shopper = bearer('restart-1');
    await first.http
      .post('/api/v1/cart/items')
      .set(shopper)
      .send({ storeSlug: 'acme', sku: 'TENT', quantity: 1 })
      .expect(201);
    const { body } = await first.http.post('/api/v1/checkout/sessions').set(shopper).expect(201);
    const sessionId = body.data.sessionId;
    await first.http.put(`/api/v1/checkout/sessions/${sessionId}/shipping`).set(shopper).send(ADDRESS).expect(200);
    await first.http
      .put(`/api/v1/checkout/sessions/${sessionId}/payment`)
      .set(shopper)
      .send({ paymentMethodId: 'pm_card_visa' })
      .expect(200);
    const placed = await first.http
      .post(`/api/v1/checkout/sessions/${sessionId}/place`)
      .set(shopper)
      .set('Idempotency-Key', 'restart-1')
      .expect(201);
    const orderNumber = placed.body.data.orders[0].orderNumber;

    // The first run buys at the retailer, then "dies"; the queue would retry, so the process stops right here.
    await waitUntil(async () => retailers.stats('acme').orderCreations === 1);
    await first.queue.close();
    expect((await database.db('orders').where({ order_number: orderNumber }).first()).status).toBe('placing');

    const second = startProcess();
    expect(await second.services.placement.resumeInterruptedPlacements()).toBe(1);
    await second.queue.drain();
    const order = await second.http.get(`/api/v1/orders/${orderNumber}`).set(shopper).expect(200);
    expect(order.body.data).toMatchObject({
      status: 'placed',
      storeOrderNumber: retailers.orders('acme')[0].orderNumber,
    });
    expect(retailers.stats('acme').orderCreations).toBe(1);
    await second.queue.close();
  });
});

async function waitUntil(probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
