import { findOrderByNumber } from '../src/repositories/orders-repository';
import { transitionOrder } from '../src/services/order-state-machine';
import { startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';
import { bearer } from './support/tokens';

let h: CheckoutHarness;
const ops = bearer('ops-1', 'ops');
const MINUTE = 60_000;

beforeAll(async () => {
  h = await startCheckoutHarness();
  await h.seedManualStore();
});
afterAll(() => h.close());

/** A shopper's paid one-store checkout: its order is `pending`, its first run handed to the (recording) queue. */
async function paidOrder(userId: string): Promise<string> {
  await h.addToCart(userId, 'corner', 'CANDLE', 1);
  return (await h.placeCart(userId)).orders[0]!.orderNumber;
}

const runsFor = (orderNumber: string) => h.enqueued.filter((run) => run.orderNumber === orderNumber);
const resume = () => h.app.services.placement.resumeStalledOrders();
const firstTry = { attempt: 1, maxAttempts: 6, maybeRan: false };

describe('orders no run is taking forward', () => {
  it('when a paid order’s first run is lost, then after ten minutes it gets a fresh run, which hands it to the ops team', async () => {
    const orderNumber = await paidOrder('stalled-1');
    expect(runsFor(orderNumber)).toHaveLength(1);

    h.clock.advance(9 * MINUTE);
    await resume();
    expect(runsFor(orderNumber)).toHaveLength(1);

    h.clock.advance(2 * MINUTE);
    await resume();
    const fresh = runsFor(orderNumber)[1]!;
    expect(fresh.runKey).toMatch(/^resume-/);
    await h.app.services.placement.place(fresh, firstTry);
    const order = (await h.http.get(`/api/v1/orders/${orderNumber}`).set(ops).expect(200)).body.data;
    expect(order.status).toBe('placing');
    const tasks = (await h.http.get('/api/v1/ops/tasks?status=open&limit=100').set(ops).expect(200)).body.data;
    expect(tasks.filter((task: { orderNumber: string }) => task.orderNumber === orderNumber)).toHaveLength(1);
  });

  it('when a run died after taking the order on, then it is resumed only after thirty quiet minutes, and never while a person holds its task', async () => {
    const orderNumber = await paidOrder('stalled-2');
    const order = (await findOrderByNumber(h.database.db, orderNumber))!;
    await transitionOrder({ db: h.database.db, clock: h.clock }, order, 'placing', 'placement started via manual'); // …then the worker died
    const before = runsFor(orderNumber).length;

    h.clock.advance(29 * MINUTE);
    await resume();
    expect(runsFor(orderNumber)).toHaveLength(before);

    h.clock.advance(2 * MINUTE);
    await resume();
    const fresh = runsFor(orderNumber).at(-1)!;
    expect(runsFor(orderNumber)).toHaveLength(before + 1);
    await h.app.services.placement.place(fresh, { ...firstTry, maybeRan: true });
    const task = (await h.http.get('/api/v1/ops/tasks?status=open&limit=100').set(ops).expect(200)).body.data.find(
      (t: { orderNumber: string }) => t.orderNumber === orderNumber,
    );
    expect(task).toBeDefined();

    // The task waits for a person for as long as it takes: no new run while it is open.
    h.clock.advance(120 * MINUTE);
    await resume();
    expect(runsFor(orderNumber)).toHaveLength(before + 1);
  });
  it('when the process died between an order’s last move and its checkout’s settle, then the checkout settles seconds later', async () => {
    const orderNumber = await paidOrder('stalled-3');
    const order = (await findOrderByNumber(h.database.db, orderNumber))!;
    const deps = { db: h.database.db, clock: h.clock };
    const placing = await transitionOrder(deps, order, 'placing', 'placement started via manual');
    await transitionOrder(deps, placing, 'placed', 'placed by hand', {
      storeOrderNumber: 'CS-3',
      placedAt: h.clock.now(),
    }); // …its settle never ran
    const sessionOf = async () =>
      (await h.http.get(`/api/v1/checkout/sessions/${order.checkoutSessionId}`).set(bearer('stalled-3')).expect(200))
        .body.data.status;
    expect(await sessionOf()).toBe('placed');

    h.clock.advance(2_000);
    await h.app.services.settlement.settleOverdueCheckouts();
    expect(await sessionOf()).toBe('placed');

    h.clock.advance(2_000);
    await h.app.services.settlement.settleOverdueCheckouts();
    expect(await sessionOf()).toBe('completed');
  });
});
