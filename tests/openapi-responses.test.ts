import Stripe from 'stripe';
import { signRetailerPayload } from '../src/domain/retailer-signature';
import { documentedResponseSchemas } from '../src/http/openapi';
import { createApiPlacementAdapter } from '../src/placement/api-adapter';
import { ADDRESS, startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';
import { markPlacedAtRetailer, placeCheckout } from './support/order-fixtures';
import { bearer } from './support/tokens';

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** An operation as the document names it, relative to /api/v1: `GET /orders/{orderNumber}`. */
type OperationName = `${HttpMethod} /${string}`;

interface DocumentedOperation {
  security?: Record<string, string[]>[];
  responses: Record<string, unknown>;
}
interface ServedDocument {
  paths: Record<string, Record<string, DocumentedOperation>>;
}

const STRIPE_WEBHOOK_SECRET = 'whsec_openapi_responses_test';
const RETAILER_SECRET = 'acme-webhook-secret-0123456789';
const admin = bearer('admin-1', 'admin');
const ops = bearer('ops-1', 'ops');
const schemas = documentedResponseSchemas();

let h: CheckoutHarness;
let served: ServedDocument;

beforeAll(async () => {
  h = await startCheckoutHarness({
    placement: {
      adapters: [createApiPlacementAdapter()],
      enqueue: async () => {},
      stripeWebhookSecret: STRIPE_WEBHOOK_SECRET,
    },
  });
  await h.seedCatalog();
  await h.http.put('/api/v1/admin/stores/acme').set(admin).send({ webhookSecret: RETAILER_SECRET }).expect(200);
  served = (await h.http.get('/api/docs.json').expect(200)).body;
});
afterAll(() => h.close());

/**
 * Holds a real answer to what the served document promises for its status. Parsing drops every key a schema
 * does not name, at any depth, so an answer that does not parse back to itself carries a field the document
 * does not describe: drift fails here rather than surprising a client.
 */
function expectDocumented(operation: OperationName, res: { status: number; body: unknown }) {
  const [method, path] = operation.split(' ');
  const key = `${method} /api/v1${path} ${res.status}`;
  const listed = served.paths[`/api/v1${path}`]?.[method.toLowerCase()]?.responses[res.status] !== undefined;
  expect({ key, listed, body: res.body }).toMatchObject({ key, listed: true });
  const parsed = schemas.get(key)!.safeParse(res.body);
  expect({ key, issues: parsed.error?.issues ?? [], body: res.body }).toMatchObject({ key, issues: [] });
  expect({ key, body: res.body }).toStrictEqual({ key, body: parsed.data });
  return res.body as { success: boolean; data?: any; error?: { code: string; details?: any } };
}

describe('the OpenAPI document is true to real answers', () => {
  it('documents each operation with the authentication it really asks for', async () => {
    const example: Record<string, string> = {
      slug: 'acme',
      storeSlug: 'acme',
      itemId: '00000000-0000-4000-8000-000000000000',
      sessionId: 'cs_unknown',
      orderNumber: 'MO-0000000000',
      taskId: 'task_unknown',
      endpointId: 'we_unknown',
      deliveryId: '0',
    };
    const mismatches = [];
    // The API's operations; /healthz, /readyz and /metrics answer without the envelope (tests/operations.test.ts).
    for (const [path, operations] of Object.entries(served.paths).filter(([path]) => path.startsWith('/api/v1/'))) {
      for (const [method, documented] of Object.entries(operations)) {
        const url = path.replace(/\{(\w+)\}/g, (_, name: string) => example[name]);
        const res = await h.http[method as 'get'](url);
        const operation = `${method.toUpperCase()} ${path.replace('/api/v1', '')}` as OperationName;
        expectDocumented(operation, res);
        const asksForToken = res.status === 401 && res.body.error.code === 'unauthorized';
        const documentedToken = (documented.security ?? []).some((scheme) => 'bearer' in scheme);
        if (asksForToken !== documentedToken) mismatches.push({ operation, asksForToken, documentedToken });
      }
    }
    expect(mismatches).toEqual([]);
    expect(served.paths['/api/v1/stores'].get.security).toEqual([]);
  });

  it('matches the catalog and admin store answers, an upsert’s 201 and 200 included', async () => {
    const stores = expectDocumented('GET /stores', await h.http.get('/api/v1/stores').expect(200));
    expect(stores.data.map((store: { slug: string }) => store.slug)).toEqual(
      expect.arrayContaining(['acme', 'globex']),
    );

    const newStore = {
      slug: 'initech',
      name: 'Initech Supply',
      placementMethod: 'manual',
      webhookSecret: 'initech-secret-0123456789',
      shipping: { flatCents: 499, freeAboveCents: 5000 },
    };
    const created = expectDocumented(
      'POST /admin/stores',
      await h.http.post('/api/v1/admin/stores').set(admin).send(newStore).expect(201),
    );
    expect(created.data).toMatchObject({ slug: 'initech', hasWebhookSecret: true, placementConfigKeys: [] });
    const config = { baseUrl: 'http://127.0.0.1:9/retailers/initech', apiKey: 'initech-key' };
    const updated = expectDocumented(
      'PUT /admin/stores/{slug}',
      await h.http
        .put('/api/v1/admin/stores/initech')
        .set(admin)
        .send({ placementMethod: 'api', placementConfig: config, fallbackMethod: 'manual' })
        .expect(200),
    );
    expect(updated.data).toMatchObject({
      placementMethod: 'api',
      placementConfigKeys: expect.arrayContaining(['baseUrl', 'apiKey']),
    });
    const checked = expectDocumented(
      'POST /admin/stores/{slug}/check',
      await h.http.post('/api/v1/admin/stores/initech/check').set(admin).expect(200),
    );
    expect(checked.data.checks).toEqual(
      expect.arrayContaining([{ name: 'reach', ok: false, message: expect.stringMatching(/connection failed/) }]),
    );
    expectDocumented(
      'POST /admin/stores/{slug}/check',
      await h.http.post('/api/v1/admin/stores/nope/check').set(admin).expect(404),
    );
    expectDocumented(
      'POST /admin/stores/{slug}/check',
      await h.http.post('/api/v1/admin/stores/initech/check').set(bearer('doc-shopper')).expect(403),
    );
    const taken = expectDocumented(
      'POST /admin/stores',
      await h.http.post('/api/v1/admin/stores').set(admin).send(newStore).expect(409),
    );
    expect(taken.error!.code).toBe('store_exists');

    const product = {
      storeSlug: 'initech',
      sku: 'STAPLER',
      name: 'Red stapler',
      priceCents: 1999,
      productUrl: 'https://initech.example/stapler',
    };
    const first = expectDocumented(
      'PUT /admin/products',
      await h.http.put('/api/v1/admin/products').set(admin).send(product).expect(201),
    );
    const again = expectDocumented(
      'PUT /admin/products',
      await h.http
        .put('/api/v1/admin/products')
        .set(admin)
        .send({ ...product, priceCents: 2499 })
        .expect(200),
    );
    expect(again.data).toMatchObject({ productId: first.data.productId, priceCents: 2499 });
    const refused = expectDocumented(
      'PUT /admin/products',
      await h.http.put('/api/v1/admin/products').set(bearer('doc-shopper')).send(product).expect(403),
    );
    expect(refused.error!.code).toBe('forbidden');
  });

  it('matches the cart and checkout answers from an empty cart to a placed session', async () => {
    const shopper = bearer('doc-shopper');
    expectDocumented('GET /cart', await h.http.get('/api/v1/cart').set(shopper).expect(200));
    const empty = expectDocumented(
      'POST /checkout/sessions',
      await h.http.post('/api/v1/checkout/sessions').set(shopper).expect(422),
    );
    expect(empty.error!.code).toBe('cart_empty');
    const unknown = expectDocumented(
      'POST /cart/items',
      await h.http
        .post('/api/v1/cart/items')
        .set(shopper)
        .send({ storeSlug: 'acme', sku: 'NOPE', quantity: 1 })
        .expect(404),
    );
    expect(unknown.error!.code).toBe('product_not_found');

    const cart = expectDocumented(
      'POST /cart/items',
      await h.http
        .post('/api/v1/cart/items')
        .set(shopper)
        .send({ storeSlug: 'acme', sku: 'MUG', quantity: 1, size: 'L', color: 'blue' })
        .expect(201),
    );
    expectDocumented(
      'POST /cart/items',
      await h.http
        .post('/api/v1/cart/items')
        .set(shopper)
        .send({ storeSlug: 'globex', sku: 'LAMP', quantity: 1 })
        .expect(201),
    );
    expectDocumented(
      'PATCH /cart/items/{itemId}',
      await h.http.patch(`/api/v1/cart/items/${cart.data.items[0].id}`).set(shopper).send({ quantity: 2 }).expect(200),
    );

    const session = expectDocumented(
      'POST /checkout/sessions',
      await h.http.post('/api/v1/checkout/sessions').set(shopper).expect(201),
    );
    const sessionUrl = `/api/v1/checkout/sessions/${session.data.sessionId}`;
    expectDocumented('GET /checkout/sessions/{sessionId}', await h.http.get(sessionUrl).set(shopper).expect(200));
    const shipped = expectDocumented(
      'PUT /checkout/sessions/{sessionId}/shipping',
      await h.http
        .put(`${sessionUrl}/shipping`)
        .set(shopper)
        .send({ ...ADDRESS, address2: 'Suite 5' })
        .expect(200),
    );
    expect(shipped.data.shippingAddress).toMatchObject({ address2: 'Suite 5' });
    expectDocumented(
      'PUT /checkout/sessions/{sessionId}/payment',
      await h.http.put(`${sessionUrl}/payment`).set(shopper).send({ paymentMethodId: 'pm_card_visa' }).expect(200),
    );

    const keyless = expectDocumented(
      'POST /checkout/sessions/{sessionId}/place',
      await h.http.post(`${sessionUrl}/place`).set(shopper).expect(400),
    );
    expect(keyless.error!.details.fields).toHaveProperty(['Idempotency-Key']);
    const placed = expectDocumented(
      'POST /checkout/sessions/{sessionId}/place',
      await h.http.post(`${sessionUrl}/place`).set(shopper).set('Idempotency-Key', 'doc-shopper-place').expect(201),
    );
    expect(placed.data.orders).toHaveLength(2);
    const afterwards = expectDocumented(
      'GET /checkout/sessions/{sessionId}',
      await h.http.get(sessionUrl).set(shopper).expect(200),
    );
    expect(afterwards.data.orders).toHaveLength(2);
    expectDocumented('DELETE /cart', await h.http.delete('/api/v1/cart').set(shopper).expect(200));
  });

  it('matches the 409 session_not_editable a cancelled session is placed with', async () => {
    const sessionId = await h.sessionReadyToPlace('doc-canceller');
    const shopper = bearer('doc-canceller');
    const cancelled = expectDocumented(
      'DELETE /checkout/sessions/{sessionId}',
      await h.http.delete(`/api/v1/checkout/sessions/${sessionId}`).set(shopper).expect(200),
    );
    expect(cancelled.data.status).toBe('cancelled');
    const res = await h.http
      .post(`/api/v1/checkout/sessions/${sessionId}/place`)
      .set(shopper)
      .set('Idempotency-Key', 'doc-canceller-place')
      .expect(409);
    expect(expectDocumented('POST /checkout/sessions/{sessionId}/place', res).error!.code).toBe('session_not_editable');
  });

  it('matches the order list, stats, detail and tracking answers', async () => {
    const { orderNumbers } = await placeCheckout(h, 'doc-orders');
    const shopper = bearer('doc-orders');
    const list = expectDocumented('GET /orders', await h.http.get('/api/v1/orders').set(shopper).expect(200));
    expect(list.data.totalOrders).toBe(2);
    const stats = expectDocumented(
      'GET /orders/stats',
      await h.http.get('/api/v1/orders/stats').set(shopper).expect(200),
    );
    expect(stats.data).toMatchObject({ totalOrders: 2, byStatus: { pending: 2 } });
    expectDocumented('GET /orders/stats', await h.http.get('/api/v1/orders/stats').set(ops).expect(200));
    const pending = expectDocumented(
      'GET /orders/{orderNumber}',
      await h.http.get(`/api/v1/orders/${orderNumbers[0]}`).set(shopper).expect(200),
    );
    expect(pending.data.statusHistory).toEqual([expect.objectContaining({ fromStatus: null, toStatus: 'pending' })]);

    await markPlacedAtRetailer(h, orderNumbers[0], 'ACME-DOC-1');
    const tracking = { trackingNumber: '1Z999AA1', carrier: 'UPS', estimatedDelivery: '2026-12-01' };
    const forbidden = expectDocumented(
      'PUT /orders/{orderNumber}/tracking',
      await h.http.put(`/api/v1/orders/${orderNumbers[0]}/tracking`).set(shopper).send(tracking).expect(403),
    );
    expect(forbidden.error!.code).toBe('forbidden');
    const shipped = expectDocumented(
      'PUT /orders/{orderNumber}/tracking',
      await h.http.put(`/api/v1/orders/${orderNumbers[0]}/tracking`).set(ops).send(tracking).expect(200),
    );
    expect(shipped.data).toMatchObject({
      status: 'shipped',
      estimatedDelivery: '2026-12-01',
      storeOrderNumber: 'ACME-DOC-1',
      placedAt: expect.any(String),
    });
    const missing = expectDocumented(
      'GET /orders/{orderNumber}',
      await h.http.get('/api/v1/orders/MO-0000000000').set(shopper).expect(404),
    );
    expect(missing.error!.code).toBe('not_found');
  });

  it('matches the ops and admin answers: refunds, cancels, tasks and the ops order list', async () => {
    const { orderNumbers } = await placeCheckout(h, 'doc-admin');
    await markPlacedAtRetailer(h, orderNumbers[0], 'ACME-DOC-2');
    await markPlacedAtRetailer(h, orderNumbers[1], 'GLOBEX-DOC-2');
    const [mug] = (await h.http.get(`/api/v1/orders/${orderNumbers[0]}`).set(admin).expect(200)).body.data.items;

    const refundUrl = `/api/v1/admin/orders/${orderNumbers[0]}/refunds`;
    const refund = expectDocumented(
      'POST /admin/orders/{orderNumber}/refunds',
      await h.http
        .post(refundUrl)
        .set(admin)
        .set('Idempotency-Key', 'doc-refund-1')
        .send({ items: [{ orderItemId: mug.orderItemId, quantity: 1 }], reason: 'one mug came chipped' })
        .expect(201),
    );
    expect(refund.data.status).toBe('succeeded');
    const refunded = expectDocumented(
      'GET /orders/{orderNumber}',
      await h.http.get(`/api/v1/orders/${orderNumbers[0]}`).set(admin).expect(200),
    );
    expect(refunded.data).toMatchObject({ status: 'partially_refunded', refundedCents: refund.data.amountCents });
    expect(refunded.data.items[0]).toMatchObject({ refundedQuantity: 1, status: 'partially_refunded' });

    const cancelled = expectDocumented(
      'POST /admin/orders/{orderNumber}/cancel',
      await h.http
        .post(`/api/v1/admin/orders/${orderNumbers[1]}/cancel`)
        .set(admin)
        .send({ reason: 'shopper changed their mind' })
        .expect(200),
    );
    expect(cancelled.data.status).toBe('cancelled');
    const tooMuch = expectDocumented(
      'POST /admin/orders/{orderNumber}/refunds',
      await h.http
        .post(`/api/v1/admin/orders/${orderNumbers[1]}/refunds`)
        .set(admin)
        .set('Idempotency-Key', 'doc-refund-2')
        .send({ reason: 'nothing is left' })
        .expect(422),
    );
    expect(tooMuch.error!.code).toBe('refund_exceeds_captured');
    const retry = expectDocumented(
      'POST /ops/orders/{orderNumber}/retry',
      await h.http.post(`/api/v1/ops/orders/${orderNumbers[1]}/retry`).set(ops).send({}).expect(409),
    );
    expect(retry.error!.code).toBe('invalid_transition');

    const tasks = expectDocumented(
      'GET /ops/tasks',
      await h.http.get('/api/v1/ops/tasks?status=open').set(ops).expect(200),
    );
    const cancelTask = tasks.data.find((task: { orderNumber: string }) => task.orderNumber === orderNumbers[1]);
    expect(cancelTask).toMatchObject({ kind: 'cancel_order', status: 'open' });
    expectDocumented(
      'POST /ops/tasks/{taskId}/claim',
      await h.http.post(`/api/v1/ops/tasks/${cancelTask.taskId}/claim`).set(ops).expect(200),
    );
    const claimed = expectDocumented(
      'GET /ops/tasks/{taskId}',
      await h.http.get(`/api/v1/ops/tasks/${cancelTask.taskId}`).set(ops).expect(200),
    );
    expect(claimed.data).toMatchObject({ status: 'claimed', claimedBy: 'ops-1' });
    const opsOrders = expectDocumented(
      'GET /ops/orders',
      await h.http.get('/api/v1/ops/orders?status=cancelled').set(ops).expect(200),
    );
    expect(opsOrders.data.map((order: { orderNumber: string }) => order.orderNumber)).toContain(orderNumbers[1]);
  });

  it('matches the retailer and Stripe webhook receipts, a repeat and a bad signature included', async () => {
    const { orderNumbers } = await placeCheckout(h, 'doc-hooks');
    await markPlacedAtRetailer(h, orderNumbers[0], 'ACME-DOC-3');
    const deliverRetailer = (event: object, secret = RETAILER_SECRET) => {
      const raw = JSON.stringify(event);
      const signature = signRetailerPayload(raw, secret, Math.floor(h.clock.now().getTime() / 1000));
      return h.http
        .post('/api/v1/webhooks/retailers/acme')
        .set('Content-Type', 'application/json')
        .set('X-Retailer-Signature', signature)
        .send(raw);
    };
    const shipped = {
      id: 'evt_doc_ship',
      type: 'order.shipped',
      data: { storeOrderNumber: 'ACME-DOC-3', trackingNumber: '1Z1', carrier: 'UPS' },
    };
    const first = expectDocumented('POST /webhooks/retailers/{storeSlug}', await deliverRetailer(shipped).expect(200));
    expect(first.data).toMatchObject({
      duplicate: false,
      outcome: 'applied',
      orderNumber: orderNumbers[0],
      status: 'shipped',
    });
    const repeat = expectDocumented('POST /webhooks/retailers/{storeSlug}', await deliverRetailer(shipped).expect(200));
    expect(repeat.data).toMatchObject({ duplicate: true, outcome: 'applied' });
    const backwards = expectDocumented(
      'POST /webhooks/retailers/{storeSlug}',
      await deliverRetailer({
        id: 'evt_doc_conf',
        type: 'order.confirmed',
        data: { storeOrderNumber: 'ACME-DOC-3' },
      }).expect(200),
    );
    expect(backwards.data).toMatchObject({ outcome: 'ignored', note: expect.any(String) });
    const forged = expectDocumented(
      'POST /webhooks/retailers/{storeSlug}',
      await deliverRetailer(shipped, 'not-the-secret-at-all').expect(401),
    );
    expect(forged.error!.code).toBe('invalid_signature');

    const payload = JSON.stringify({
      id: 'evt_doc_stripe',
      object: 'event',
      type: 'payment_intent.succeeded',
      api_version: '2026-10-28',
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: 'pi_doc', object: 'payment_intent', status: 'succeeded' } },
    });
    const deliverStripe = () => {
      const signature = new Stripe('sk_test_unused').webhooks.generateTestHeaderString({
        payload,
        secret: STRIPE_WEBHOOK_SECRET,
      });
      return h.http
        .post('/api/v1/webhooks/stripe')
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', signature)
        .send(payload);
    };
    const received = expectDocumented('POST /webhooks/stripe', await deliverStripe().expect(200));
    expect(received.data).toMatchObject({ eventId: 'evt_doc_stripe', duplicate: false, outcome: 'ignored' });
    expectDocumented('POST /webhooks/stripe', await deliverStripe().expect(200));
  });
});
