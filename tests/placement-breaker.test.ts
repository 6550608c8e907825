import { Queue } from 'bullmq';
import { methodQueueName } from '../src/queue/placement-methods';
import { REDIS_URL, startPlacementHarness, waitFor, type PlacementHarness } from './support/placement-harness';

const OPEN_MS = 4_000;

let h: PlacementHarness;
let inspector: Queue;
beforeAll(async () => {
  // Enough tries that the breaker, not the retry budget, decides what happens to the failing store's orders.
  h = await startPlacementHarness({ attempts: 10, worker: { breaker: { failureThreshold: 5, openMs: OPEN_MS } } });
  // Its stores place by api: their jobs are on the api method queue.
  inspector = new Queue(methodQueueName(h.queueName, 'api'), { connection: { url: REDIS_URL }, prefix: h.prefix });
}, 60_000);
afterAll(async () => {
  await inspector?.close();
  await h?.close();
});

describe('a store whose retailer is down', () => {
  it('when a retailer fails five times, then its orders wait without burning attempts while other stores go on, and are placed once it recovers', async () => {
    const down = await h.createApiStore('breaker-down');
    const up = await h.createApiStore('breaker-up');
    h.simulator.injectFaults(down.slug, { kind: 'status_500', count: 1000 });

    const first = await h.checkout('breaker-shopper-1', [
      { storeSlug: down.slug, sku: 'MUG' },
      { storeSlug: up.slug, sku: 'MUG' },
    ]);
    const failing = first.orderOf(down.name).orderNumber;
    await h.waitForStatus(first.orderOf(up.name).orderNumber, 'placed');
    await waitFor(async () => (await h.breakerState(down.storeId)).state === 'open', 10_000, 'the breaker to open');
    expect((await h.attemptsOf(failing)).map((a) => a.outcome)).toEqual(Array(5).fill('transient_error'));

    const second = await h.checkout('breaker-shopper-2', [
      { storeSlug: down.slug, sku: 'LANTERN' },
      { storeSlug: up.slug, sku: 'LANTERN' },
    ]);
    const held = second.orderOf(down.name).orderNumber;
    await h.waitForStatus(second.orderOf(up.name).orderNumber, 'placed');

    // The other store's order went through while this one was held at the gate: never tried, nothing sent.
    expect(await h.order(held)).toMatchObject({ status: 'pending' });
    expect(await h.attemptsOf(held)).toEqual([]);
    expect((await inspector.getJob(held))?.attemptsMade).toBe(0);
    expect(await h.order(failing)).toMatchObject({ status: 'placing' });
    expect(h.simulator.stats(down.slug).orderRequests).toBe(5);
    // Read last, so everything above was seen while the breaker was still open.
    expect((await h.breakerState(down.storeId)).state).toBe('open');

    h.simulator.clearFaults(down.slug);
    for (const orderNumber of [failing, held]) await h.waitForStatus(orderNumber, 'placed', OPEN_MS * 5);
    expect(h.simulator.stats(down.slug).orderCreations).toBe(2);
    expect((await h.attemptsOf(held)).map((a) => a.outcome)).toEqual(['placed']);
    expect((await h.attemptsOf(failing)).map((a) => a.outcome)).toEqual([
      ...Array(5).fill('transient_error'),
      'placed',
    ]);
    expect(await h.breakerState(down.storeId)).toMatchObject({ state: 'closed', recentFailures: 0 });
  }, 60_000);
});
