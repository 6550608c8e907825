import { startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';
import { bearer } from './support/tokens';

let h: CheckoutHarness;
let taskId: string;
beforeAll(async () => {
  h = await startCheckoutHarness();
  const admin = bearer('admin-1', 'admin');
  await h.http.post('/api/v1/admin/stores').set(admin).send({ slug: 'corner', name: 'Corner Shop', placementMethod: 'manual' }).expect(201);
  await h.http.put('/api/v1/admin/products').set(admin).send({ storeSlug: 'corner', sku: 'CANDLE', name: 'Candle', priceCents: 1800, productUrl: 'https://corner.example/candle' }).expect(201);
  await h.addToCart('tasks-1', 'corner', 'CANDLE', 2, { color: 'amber' });
  const { body } = await h.http.post('/api/v1/checkout/sessions').set(bearer('tasks-1')).expect(201);
  const sessionId = body.data.sessionId;
  await h.http.put(`/api/v1/checkout/sessions/${sessionId}/shipping`).set(bearer('tasks-1')).send({ name: 'Ada', address1: '1 Main St', city: 'Austin', state: 'TX', zip: '78701', country: 'US', phone: '5125550100' }).expect(200);
  await h.http.put(`/api/v1/checkout/sessions/${sessionId}/payment`).set(bearer('tasks-1')).send({ paymentMethodId: 'pm_card_visa' }).expect(200);
  const placed = await h.http.post(`/api/v1/checkout/sessions/${sessionId}/place`).set(bearer('tasks-1')).set('Idempotency-Key', 'tasks-1').expect(201);
  const [run] = h.enqueued.filter((job) => job.orderNumber === placed.body.data.orders[0].orderNumber);
  await h.app.services.placement.place(run, { attempt: 1, maxAttempts: 6, maybeRan: false });
  const tasks = await h.http.get('/api/v1/ops/tasks?status=open').set(bearer('ops-1', 'ops')).expect(200);
  taskId = tasks.body.data[0].taskId;
});
afterAll(() => h.close());

const act = (user: string, action: string, role: 'ops' | 'admin' = 'ops') => h.http.post(`/api/v1/ops/tasks/${taskId}/${action}`).set(bearer(user, role));

describe('ops tasks', () => {
  it('hold what a person needs to buy the order by hand', async () => {
    const { body } = await h.http.get(`/api/v1/ops/tasks/${taskId}`).set(bearer('ops-1', 'ops')).expect(200);
    expect(body.data).toMatchObject({ kind: 'place_order', status: 'open', claimedBy: null });
    expect(body.data.payload).toMatchObject({
      store: { slug: 'corner', name: 'Corner Shop' },
      items: [expect.objectContaining({ sku: 'CANDLE', color: 'amber', quantity: 2, unitPriceCents: 1800, productUrl: 'https://corner.example/candle' })],
      shippingAddress: expect.objectContaining({ zip: '78701' }),
    });
  });

  it('can be released by whoever claimed them (or an admin), and then claimed by someone else', async () => {
    await act('ops-1', 'claim').expect(200);
    const stolen = await act('ops-2', 'release');
    expect(stolen.status).toBe(409);
    expect(stolen.body.error.code).toBe('task_not_open');
    const released = await act('ops-1', 'release').expect(200);
    expect(released.body.data).toMatchObject({ status: 'open', claimedBy: null });
    await act('ops-2', 'claim').expect(200);
    const byAdmin = await act('admin-1', 'release', 'admin').expect(200);
    expect(byAdmin.body.data.status).toBe('open');
    expect((await act('ops-1', 'release')).status).toBe(409);
  });
});
