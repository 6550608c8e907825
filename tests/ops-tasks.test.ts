import { ADDRESS, startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';
import { findOrderByNumber } from '../src/repositories/orders-repository';
import { transitionOrder } from '../src/services/order-state-machine';
import { bearer } from './support/tokens';

let h: CheckoutHarness;
let taskId: string;
const orderNumbers: string[] = [];

/** A shopper checks out one candle from the manual store; its placement run opens a place_order task. */
async function placeManualOrder(userId: string): Promise<string> {
  await h.addToCart(userId, 'corner', 'CANDLE', 2, { color: 'amber' });
  const placed = await h.placeCart(userId);
  const orderNumber = placed.orders[0]!.orderNumber;
  const [run] = h.enqueued.filter((job) => job.orderNumber === orderNumber);
  await h.app.services.placement.place(run, { attempt: 1, maxAttempts: 6, maybeRan: false });
  return orderNumber;
}

beforeAll(async () => {
  h = await startCheckoutHarness();
  await h.seedManualStore();
  for (const user of ['tasks-1', 'tasks-2', 'tasks-3']) orderNumbers.push(await placeManualOrder(user));
  const tasks = await h.http.get('/api/v1/ops/tasks?status=open').set(bearer('ops-1', 'ops')).expect(200);
  taskId = tasks.body.data[0].taskId;
});
afterAll(() => h.close());

const act = (user: string, action: string, role: 'ops' | 'admin' = 'ops') =>
  h.http.post(`/api/v1/ops/tasks/${taskId}/${action}`).set(bearer(user, role));

describe('ops tasks', () => {
  it('hold what a person needs to buy the order by hand', async () => {
    const { body } = await h.http.get(`/api/v1/ops/tasks/${taskId}`).set(bearer('ops-1', 'ops')).expect(200);
    expect(body.data).toMatchObject({ kind: 'place_order', status: 'open', claimedBy: null });
    expect(body.data.payload).toMatchObject({
      store: { slug: 'corner', name: 'Corner Shop' },
      items: [
        expect.objectContaining({
          sku: 'CANDLE',
          color: 'amber',
          quantity: 2,
          unitPriceCents: 1800,
          productUrl: 'https://corner.example/candle',
        }),
      ],
      shippingAddress: expect.objectContaining({ zip: ADDRESS.zip }),
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

  it('are listed a page at a time, oldest first, with how many match beside the page', async () => {
    const ops = bearer('ops-1', 'ops');
    const list = (query: string) => h.http.get(`/api/v1/ops/tasks?${query}`).set(ops).expect(200);

    const first = await list('status=open&limit=2');
    expect(first.body.meta).toEqual({ totalTasks: 3, limit: 2, offset: 0 });
    expect(first.body.data.map((task: { orderNumber: string }) => task.orderNumber)).toEqual(orderNumbers.slice(0, 2));
    expect(first.body.data[0]).toMatchObject({ taskId, claimedAt: null, resolvedBy: null, resolvedAt: null });
    const second = await list('status=open&limit=2&offset=2');
    expect(second.body.meta).toEqual({ totalTasks: 3, limit: 2, offset: 2 });
    expect(second.body.data.map((task: { orderNumber: string }) => task.orderNumber)).toEqual(orderNumbers.slice(2));
    expect((await list('status=open&offset=5')).body).toMatchObject({
      data: [],
      meta: { totalTasks: 3, limit: 20, offset: 5 },
    });

    // The total counts what the filter matches, not the page: one claimed task moves from one count to the other.
    await act('ops-1', 'claim').expect(200);
    expect((await list('status=open&limit=1')).body.meta.totalTasks).toBe(2);
    expect((await list('status=claimed')).body).toMatchObject({
      data: [expect.objectContaining({ taskId, claimedBy: 'ops-1' })],
      meta: { totalTasks: 1 },
    });
    expect((await list('limit=1')).body.meta.totalTasks).toBe(3);
    expect((await list('status=done')).body).toMatchObject({ data: [], meta: { totalTasks: 0 } });
    await act('ops-1', 'release').expect(200);
  });
  it('that cannot be finished because the order moved meanwhile stay as they were: the task and the order change together or not at all', async () => {
    const orderNumber = await placeManualOrder('tasks-4');
    const { body } = await h.http
      .get('/api/v1/ops/tasks?status=open&limit=100')
      .set(bearer('ops-1', 'ops'))
      .expect(200);
    const task = body.data.find((t: { orderNumber: string }) => t.orderNumber === orderNumber);
    // An admin's cancel has moved the order but not yet withdrawn its task (two steps of one cancel).
    const order = (await findOrderByNumber(h.database.db, orderNumber))!;
    await transitionOrder(
      { db: h.database.db, clock: h.clock },
      order,
      'cancelled',
      'cancelled by admin-1: changed mind',
    );

    const done = await h.http
      .post(`/api/v1/ops/tasks/${task.taskId}/complete`)
      .set(bearer('ops-1', 'ops'))
      .send({ storeOrderNumber: 'CS-9' });
    expect(done.status).toBe(409);
    expect(done.body.error.code).toBe('invalid_transition');
    const failed = await h.http
      .post(`/api/v1/ops/tasks/${task.taskId}/fail`)
      .set(bearer('ops-1', 'ops'))
      .send({ reason: 'out of stock' });
    expect(failed.status).toBe(409);
    expect(
      (await h.http.get(`/api/v1/ops/tasks/${task.taskId}`).set(bearer('ops-1', 'ops')).expect(200)).body.data,
    ).toMatchObject({ status: 'open', storeOrderNumber: null });
    expect(
      (await h.http.get(`/api/v1/orders/${orderNumber}`).set(bearer('ops-1', 'ops')).expect(200)).body.data,
    ).toMatchObject({ status: 'cancelled', storeOrderNumber: null });
  });
  it('sent back into placement by an ops retry, an order is not refunded by a failure that was decided before the retry', async () => {
    const orderNumber = await placeManualOrder('tasks-5');
    const { body } = await h.http
      .get('/api/v1/ops/tasks?status=open&limit=100')
      .set(bearer('ops-1', 'ops'))
      .expect(200);
    const task = body.data.find((t: { orderNumber: string }) => t.orderNumber === orderNumber);
    await h.http
      .post(`/api/v1/ops/tasks/${task.taskId}/fail`)
      .set(bearer('ops-1', 'ops'))
      .send({ reason: 'out of stock' })
      .expect(200);
    // Stripe later reports that refund failed (the card account was closed): the money is ours again, so ops may retry.
    const failed = (await findOrderByNumber(h.database.db, orderNumber))!;
    await h.database
      .db('payment_transactions')
      .where({ order_id: failed.id, type: 'refund' })
      .update({ status: 'failed', failure_code: 'expired_or_canceled_card' });
    const refundsBefore = h.stripe.stats().refundsCreated;
    const ledgerRows = () =>
      h.database.db('payment_transactions').where({ order_id: failed.id }).count({ n: '*' }).first();
    const rowsBefore = await ledgerRows();

    await h.http.post(`/api/v1/ops/orders/${orderNumber}/retry`).set(bearer('ops-1', 'ops')).send({}).expect(202);
    // A run that read the order while it was still failed now finishes "its" failure.
    await h.app.services.placement.failOrder(failed, 'out of stock');

    expect(h.stripe.stats().refundsCreated).toBe(refundsBefore);
    expect(await ledgerRows()).toEqual(rowsBefore);
    expect(
      (await h.http.get(`/api/v1/orders/${orderNumber}`).set(bearer('ops-1', 'ops')).expect(200)).body.data,
    ).toMatchObject({ status: 'placing', refundedCents: 0 });
  });
});
