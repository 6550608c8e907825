import { documentedResponseSchemas } from '../src/http/openapi';
import { findOrderByNumber } from '../src/repositories/orders-repository';
import { recordTransaction } from '../src/repositories/payment-transactions-repository';
import { admin, ops, startEventsHarness, waitFor, type EventsHarness } from './support/events-harness';
import { bearer } from './support/tokens';

/**
 * Signed webhooks to the shopping app: registered by an admin, written with the change that causes them, delivered
 * in order per checkout to a real HTTP receiver on loopback, retried through an outage, seen and redelivered by ops.
 */
let h: EventsHarness;
let acme: { slug: string; name: string };
let globex: { slug: string; name: string };
const schemas = documentedResponseSchemas();

const expectDocumented = (key: string, res: { body: unknown }) => {
  const parsed = schemas.get(key)!.safeParse(res.body);
  expect({ key, issues: parsed.error?.issues ?? [] }).toEqual({ key, issues: [] });
  expect(parsed.data).toStrictEqual(res.body);
};

beforeAll(async () => {
  h = await startEventsHarness({ smtp: false });
  acme = await h.createApiStore('acme');
  globex = await h.createApiStore('globex');
});
afterAll(() => h.close());

const ship = (orderNumber: string, trackingNumber: string) =>
  h.http.put(`/api/v1/orders/${orderNumber}/tracking`).set(ops).send({ trackingNumber, carrier: 'UPS' }).expect(200);

describe('webhook endpoints (admin)', () => {
  it('shows the secret once, lists endpoints without it, and refuses bad input and shoppers', async () => {
    const created = await h.http
      .post('/api/v1/admin/webhook-endpoints')
      .set(admin)
      .send({ url: 'https://app.example/hooks', events: ['order.shipped'] })
      .expect(201);
    expectDocumented('POST /api/v1/admin/webhook-endpoints 201', created);
    expect(created.body.data.secret).toMatch(/^whsec_/);
    const listed = await h.http.get('/api/v1/admin/webhook-endpoints').set(admin).expect(200);
    expectDocumented('GET /api/v1/admin/webhook-endpoints 200', listed);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.data.secret);

    const bad = await h.http
      .post('/api/v1/admin/webhook-endpoints')
      .set(admin)
      .send({ url: 'ftp://x', events: ['order.teleported'] })
      .expect(400);
    expect(Object.keys(bad.body.error.details.fields).sort()).toEqual(['events.0', 'url']);
    await h.http
      .post('/api/v1/admin/webhook-endpoints')
      .set(bearer('shopper-1'))
      .send({ url: 'https://a.example', events: ['*'] })
      .expect(403);

    const id = created.body.data.endpointId;
    expectDocumented(
      'DELETE /api/v1/admin/webhook-endpoints/{endpointId} 200',
      await h.http.delete(`/api/v1/admin/webhook-endpoints/${id}`).set(admin).expect(200),
    );
    const gone = await h.http.get(`/api/v1/admin/webhook-endpoints/${id}`).set(admin).expect(404);
    expect(gone.body.error.code).toBe('not_found');
  });
});

describe('events of a checkout through to shipped', () => {
  it('arrive at the endpoint signed, in the order they happened, each with the resource as the API shows it', async () => {
    const endpoint = await h.registerEndpoint();
    const checkout = await h.checkoutWithEmail('webhook-shopper-1', 'ada@example.com', [
      { storeSlug: acme.slug, sku: 'MUG', quantity: 2 },
    ]);
    const [order] = checkout.orders;
    await h.waitForStatus(order.orderNumber, 'placed');
    await ship(order.orderNumber, '1Z999');

    const types = ['checkout.placed', 'order.placed', 'checkout.completed', 'order.shipped'];
    const events = await waitFor(
      async () =>
        h.receiver.ofSession(checkout.sessionId).length >= types.length && h.receiver.ofSession(checkout.sessionId),
      20_000,
      'four events',
    );
    expect(events.map((event) => event.type)).toEqual(types);
    expect(events.map((event) => event.id)).toEqual(
      (await h.writtenEvents(checkout.sessionId)).map((row) => row.event_id),
    );
    for (const event of events) {
      expect(event.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      expect(h.receiver.verifies(event, endpoint.secret)).toBe(true);
      expect(h.receiver.verifies(event, 'whsec_not_the_secret')).toBe(false);
      expect(event.headers['mor-event-id']).toBe(event.id);
    }
    // A body changed on the way fails verification, as it must for a receiver.
    expect(
      h.receiver.verifies(
        { ...events[0], rawBody: Buffer.from(events[0].rawBody.toString().replace('2', '3')) },
        endpoint.secret,
      ),
    ).toBe(false);

    const [placed, orderPlaced, completed, shipped] = events;
    expect(placed.data).toMatchObject({
      sessionId: checkout.sessionId,
      status: 'placed',
      orders: [{ orderNumber: order.orderNumber, status: 'pending' }],
    });
    expect(orderPlaced.data).toMatchObject({
      orderNumber: order.orderNumber,
      status: 'placed',
      totalCents: order.totalCents,
    });
    expect(completed.data).toMatchObject({
      status: 'completed',
      orders: [{ orderNumber: order.orderNumber, status: 'placed' }],
    });
    expect(shipped.data).toMatchObject({
      orderNumber: order.orderNumber,
      status: 'shipped',
      trackingNumber: '1Z999',
      carrier: 'UPS',
    });
    // The snapshot of the moment: the order.placed event still says placed although the order has shipped since.
    expect((await h.order(order.orderNumber)).status).toBe('shipped');

    const deliveries = await waitFor(async () => {
      const rows = await h.deliveries(endpoint.endpointId);
      return (
        rows.filter((row) => row.checkoutSessionId === checkout.sessionId && row.status === 'succeeded').length === 4 &&
        rows
      );
    });
    expect(deliveries.filter((row) => row.checkoutSessionId === checkout.sessionId).map((row) => row.attempts)).toEqual(
      [1, 1, 1, 1],
    );
    await h.http.delete(`/api/v1/admin/webhook-endpoints/${endpoint.endpointId}`).set(admin).expect(200);
  });
});

describe('an endpoint that is down for a while', () => {
  it('gets every event once, in order per checkout, after it comes back', async () => {
    h.receiver.received.length = 0;
    const endpoint = await h.registerEndpoint([
      'order.placed',
      'order.shipped',
      'checkout.placed',
      'checkout.completed',
    ]);
    await h.receiver.stop();
    const checkout = await h.checkoutWithEmail('webhook-shopper-2', 'bob@example.com', [
      { storeSlug: acme.slug, sku: 'MUG' },
      { storeSlug: globex.slug, sku: 'LANTERN' },
    ]);
    for (const order of checkout.orders) await h.waitForStatus(order.orderNumber, 'placed');
    for (const order of checkout.orders) await ship(order.orderNumber, `TRK-${order.orderNumber}`);

    // Several tries have failed (connection refused) before the receiver comes back.
    await waitFor(
      async () => (await h.deliveries(endpoint.endpointId)).some((row) => row.attempts >= 3),
      20_000,
      'three failed tries',
    );
    const failing = (await h.deliveries(endpoint.endpointId)).find((row) => row.attempts >= 3)!;
    expect(failing).toMatchObject({
      status: 'pending',
      lastStatusCode: null,
      lastError: expect.stringContaining('ECONNREFUSED'),
    });
    const listed = await h.http.get('/api/v1/ops/webhook-endpoints').set(ops).expect(200);
    expectDocumented('GET /api/v1/ops/webhook-endpoints 200', listed);
    expect(listed.body.data.find((e: any) => e.endpointId === endpoint.endpointId)).toMatchObject({
      status: 'enabled',
      failingSince: expect.any(String),
    });
    await h.receiver.start();

    const written = await h.writtenEvents(checkout.sessionId);
    const events = await waitFor(
      async () =>
        h.receiver.ofSession(checkout.sessionId).length >= written.length && h.receiver.ofSession(checkout.sessionId),
      30_000,
      'every event',
    );
    expect(events.map((event) => event.id)).toEqual(written.map((row) => row.event_id));
    expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
    for (const order of checkout.orders) {
      expect(events.filter((event) => event.data.orderNumber === order.orderNumber).map((event) => event.type)).toEqual(
        ['order.placed', 'order.shipped'],
      );
    }
    const deliveries = await waitFor(async () => {
      const rows = await h.deliveries(endpoint.endpointId);
      return rows.every((row) => row.status === 'succeeded') && rows;
    });
    expect(deliveries).toHaveLength(written.length);
    expectDocumented(
      'GET /api/v1/ops/webhook-endpoints/{endpointId}/deliveries 200',
      await h.http.get(`/api/v1/ops/webhook-endpoints/${endpoint.endpointId}/deliveries`).set(ops).expect(200),
    );
    expect(
      (await h.http.get('/api/v1/ops/webhook-endpoints').set(ops)).body.data.find(
        (e: any) => e.endpointId === endpoint.endpointId,
      ).failingSince,
    ).toBeNull();

    // Ops redeliver one: the receiver gets the same event (same id) again.
    const first = deliveries[deliveries.length - 1];
    const redelivered = await h.http
      .post(`/api/v1/ops/webhook-deliveries/${first.deliveryId}/redeliver`)
      .set(ops)
      .expect(202);
    expectDocumented('POST /api/v1/ops/webhook-deliveries/{deliveryId}/redeliver 202', redelivered);
    await waitFor(
      async () => h.receiver.received.filter((event) => event.id === first.eventId).length === 2,
      10_000,
      'the redelivery',
    );
    await h.http.delete(`/api/v1/admin/webhook-endpoints/${endpoint.endpointId}`).set(admin).expect(200);
  });
});

describe('secrets and failing endpoints', () => {
  it('signs with the old and the new secret while a roll overlaps, then with the new one only', async () => {
    h.receiver.received.length = 0;
    const endpoint = await h.registerEndpoint(['order.shipped']);
    const rolled = await h.http
      .post(`/api/v1/admin/webhook-endpoints/${endpoint.endpointId}/roll-secret`)
      .set(admin)
      .send({ overlapHours: 24 })
      .expect(200);
    expectDocumented('POST /api/v1/admin/webhook-endpoints/{endpointId}/roll-secret 200', rolled);
    const checkout = await h.checkoutWithEmail('webhook-shopper-3', 'cy@example.com', [
      { storeSlug: acme.slug, sku: 'LANTERN' },
    ]);
    const orderNumber = checkout.orders[0].orderNumber;
    await h.waitForStatus(orderNumber, 'placed');
    await ship(orderNumber, 'ROLL-1');
    const during = await waitFor(async () => h.receiver.received.find((event) => event.type === 'order.shipped'));
    expect(during.signature!.match(/v1=/g)).toHaveLength(2);
    expect(h.receiver.verifies(during, endpoint.secret)).toBe(true);
    expect(h.receiver.verifies(during, rolled.body.data.secret)).toBe(true);

    const again = await h.http
      .post(`/api/v1/admin/webhook-endpoints/${endpoint.endpointId}/roll-secret`)
      .set(admin)
      .send({ overlapHours: 0 })
      .expect(200);
    await ship(orderNumber, 'ROLL-2');
    const after = await waitFor(async () =>
      h.receiver.received.find((event) => event.type === 'order.shipped' && event.data.trackingNumber === 'ROLL-2'),
    );
    expect(h.receiver.verifies(after, again.body.data.secret)).toBe(true);
    expect(h.receiver.verifies(after, rolled.body.data.secret)).toBe(false);
    await h.http.delete(`/api/v1/admin/webhook-endpoints/${endpoint.endpointId}`).set(admin).expect(200);
  });

  it('disables an endpoint that has failed for days, shows ops why, and sends what waited once ops enable it', async () => {
    h.receiver.received.length = 0;
    const endpoint = await h.registerEndpoint(['order.placed']);
    h.receiver.answerWith(500);
    // Days of failing cannot pass in a test: the endpoint's record says it has been failing for four.
    await h.database
      .db('webhook_endpoints')
      .where({ id: endpoint.endpointId })
      .update({ failing_since: new Date(Date.now() - 4 * 86_400_000) });
    const checkout = await h.checkoutWithEmail('webhook-shopper-4', 'di@example.com', [
      { storeSlug: acme.slug, sku: 'MUG' },
    ]);
    const disabled = await waitFor(
      async () => {
        const rows = (await h.http.get('/api/v1/ops/webhook-endpoints').set(ops).expect(200)).body.data;
        return rows.find((e: any) => e.endpointId === endpoint.endpointId && e.status === 'disabled');
      },
      20_000,
      'the endpoint disabled',
    );
    expect(disabled.disabledReason).toContain('HTTP 500');
    expect(disabled.deliveries).toMatchObject({ pending: 1 });
    const [pending] = await h.deliveries(endpoint.endpointId);
    expect(pending).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastStatusCode: 500,
      orderNumber: checkout.orders[0].orderNumber,
    });

    h.receiver.answerWith(200);
    const enabled = await h.http
      .post(`/api/v1/ops/webhook-endpoints/${endpoint.endpointId}/enable`)
      .set(ops)
      .expect(200);
    expectDocumented('POST /api/v1/ops/webhook-endpoints/{endpointId}/enable 200', enabled);
    const event = await waitFor(async () =>
      h.receiver.received.find(
        (e) => e.type === 'order.placed' && e.data.orderNumber === checkout.orders[0].orderNumber,
      ),
    );
    expect(h.receiver.verifies(event, endpoint.secret)).toBe(true);
  });

  it('announces a refund recorded already settled (one made outside the service) once, however often it is recorded', async () => {
    h.receiver.received.length = 0;
    const endpoint = await h.registerEndpoint(['refund.succeeded']);
    const checkout = await h.checkoutWithEmail('webhook-shopper-5', 'ed@example.com', [
      { storeSlug: acme.slug, sku: 'MUG' },
    ]);
    const order = (await findOrderByNumber(h.database.db, checkout.orders[0].orderNumber))!;
    const outside = {
      checkoutSessionId: checkout.sessionId,
      orderId: order.id,
      type: 'partial_refund' as const,
      status: 'succeeded' as const,
      amountCents: 300,
      currency: 'usd',
      stripeRefundId: 're_outside_1',
      idempotencyKey: 'stripe-refund:re_outside_1',
      reason: 'refunded in the Stripe dashboard',
    };
    await recordTransaction(h.database.db, outside);
    await recordTransaction(h.database.db, outside);
    const event = await waitFor(async () =>
      h.receiver.received.find((e) => e.type === 'refund.succeeded' && e.data.refundId === 're_outside_1'),
    );
    expect(event.data).toMatchObject({
      orderNumber: order.orderNumber,
      amountCents: 300,
      status: 'succeeded',
      reason: 'refunded in the Stripe dashboard',
    });
    expect(
      await h.database
        .db('outbox_events')
        .where({ type: 'refund.succeeded', checkout_session_id: checkout.sessionId })
        .count({ n: '*' })
        .then((rows) => Number(rows[0].n)),
    ).toBe(1);
    await h.http.delete(`/api/v1/admin/webhook-endpoints/${endpoint.endpointId}`).set(admin).expect(200);
  });

  it('keeps shopper mails in the database without SMTP, for the dashboard', async () => {
    const mails = await waitFor(async () => {
      const res = await h.http.get('/api/v1/ops/emails').query({ status: 'kept' }).set(ops).expect(200);
      return res.body.data.length > 0 && res;
    });
    expectDocumented('GET /api/v1/ops/emails 200', mails);
    expect(mails.body.data.map((mail: any) => mail.template)).toContain('order_confirmation');
    await h.http.get('/api/v1/ops/emails').set(bearer('nosy-shopper')).expect(403);
  });
});
