import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { startPlacementFleet } from '../src/queue/placement-fleet';
import { methodQueueName, QUEUE_METHODS, type QueueMethod } from '../src/queue/placement-methods';
import type { PlacementWorkerHandle } from '../src/queue/placement-queue';
import { ops, REDIS_URL, startPlacementHarness, waitFor, type PlacementHarness } from './support/placement-harness';

/**
 * One BullMQ queue per placement method: a stuck browser fleet does not hold up api placements, a method switch or
 * fallback puts the job on the right queue, one job id lives on one queue, and the single queue of earlier versions
 * is drained. Orders are observed through the API and the queues' own records, never through elapsed time.
 */
let h: PlacementHarness;
const inspectors = new Map<QueueMethod | 'legacy', Queue>();
const extraWorkers: PlacementWorkerHandle[] = [];

beforeAll(async () => {
  h = await startPlacementHarness({ startWorker: false });
  for (const method of QUEUE_METHODS)
    inspectors.set(
      method,
      new Queue(methodQueueName(h.queueName, method), { connection: { url: REDIS_URL }, prefix: h.prefix }),
    );
  inspectors.set('legacy', new Queue(h.queueName, { connection: { url: REDIS_URL }, prefix: h.prefix }));
}, 60_000);
afterEach(async () => {
  await h.stopWorker();
  await Promise.all(extraWorkers.splice(0).map((worker) => worker.close()));
});
afterAll(async () => {
  await Promise.all([...inspectors.values()].map((queue) => queue.close()));
  await h?.close();
});

const inspector = (method: QueueMethod | 'legacy') => inspectors.get(method)!;

/** Which queues hold a job of this id, in any state (kept finished jobs included). */
async function queuesHolding(jobId: string): Promise<string[]> {
  const found: string[] = [];
  for (const [name, queue] of inspectors) if (await queue.getJob(jobId)) found.push(name);
  return found;
}

describe('one queue per placement method', () => {
  it('when the browser fleet is stuck, then api placements still complete', async () => {
    const browserStore = await h.createHeadlessStore('stuck-browser');
    const apiStore = await h.createApiStore('quick-api');
    const events: string[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // The browser fleet: one page, and its first placement hangs until the test lets it go.
    extraWorkers.push(
      await startPlacementFleet({
        redisUrl: REDIS_URL,
        queueName: h.queueName,
        prefix: h.prefix,
        methods: ['headless'],
        producer: h.queue,
        concurrencyOf: { api: 1, headless: 1, manual: 1 },
        handler: async (job, attempt) => {
          events.push(`headless started ${job.orderNumber}`);
          await released;
          return h.app.services.placement.place(job, attempt);
        },
        onExhausted: (job, error) => h.app.services.placement.exhausted(job, error),
        backoff: { baseMs: 50, maxMs: 200 },
        storeBusyDelayMs: 50,
      }),
    );
    await h.startWorker({}, ['api', 'manual']);

    const browserOrders = [];
    for (let i = 0; i < 2; i++)
      browserOrders.push(
        (
          await h.checkout(`browser-shopper-${i}`, [
            { storeSlug: browserStore.slug, sku: 'HOODIE', size: 'M', color: 'grey' },
          ])
        ).orders[0]!,
      );
    await waitFor(async () => events.length === 1, 20_000, 'the browser fleet to take its first job');
    const apiOrder = (await h.checkout('api-shopper', [{ storeSlug: apiStore.slug, sku: 'MUG' }])).orders[0]!;
    await h.waitForStatus(apiOrder.orderNumber, 'placed');
    events.push(`api placed ${apiOrder.orderNumber}`);
    // While the api order went through, no browser order got anywhere: the second still waits on the headless queue.
    for (const order of browserOrders) expect((await h.order(order.orderNumber)).status).toMatch(/^(pending|placing)$/);
    expect(await inspector('headless').getWaitingCount()).toBe(1);
    expect(await queuesHolding(apiOrder.orderNumber)).toEqual(['api']);

    release();
    events.push('browser fleet released');
    for (const order of browserOrders) await h.waitForStatus(order.orderNumber, 'placed', 60_000);
    expect(events.slice(0, 3)).toEqual([
      `headless started ${browserOrders[0]!.orderNumber}`,
      `api placed ${apiOrder.orderNumber}`,
      'browser fleet released',
    ]);
    expect(
      h.storefront
        .orders()
        .map((order) => order.reference)
        .sort(),
    ).toEqual(browserOrders.map((order) => order.orderNumber).sort());
    for (const order of browserOrders) expect(await queuesHolding(order.orderNumber)).toEqual(['headless']);
  }, 180_000);

  it('when ops switch a store while its order waits, then the job moves to the new method queue and is placed there once', async () => {
    const store = await h.createApiStore('switching');
    const order = (await h.checkout('switch-shopper', [{ storeSlug: store.slug, sku: 'MUG' }])).orders[0]!;
    expect(await inspector('api').getJobState(order.orderNumber)).toBe('waiting');
    await h.http
      .post(`/api/v1/ops/stores/${store.slug}/method`)
      .set(ops)
      .send({ placementMethod: 'manual', reason: 'retailer API outage' })
      .expect(200);

    // Only api workers: they hand the job over, place nothing, and the order waits for the manual queue.
    await h.startWorker({}, ['api']);
    await waitFor(
      async () => (await inspector('manual').getJobState(order.orderNumber)) === 'waiting',
      20_000,
      'the job on the manual queue',
    );
    expect(await h.order(order.orderNumber)).toMatchObject({ status: 'pending' });
    expect(await h.attemptsOf(order.orderNumber)).toEqual([]);
    expect(h.simulator.stats(store.slug).orderRequests).toBe(0);

    // Ops switch back before anyone took it: the manual worker hands it back to the api queue, where the job id
    // already finished once (its hand-off), and the api worker places it.
    await h.http
      .post(`/api/v1/ops/stores/${store.slug}/method`)
      .set(ops)
      .send({ placementMethod: 'api', reason: 'outage over' })
      .expect(200);
    await h.stopWorker();
    await h.startWorker({}, ['api', 'manual']);
    await h.waitForStatus(order.orderNumber, 'placed');
    expect((await h.attemptsOf(order.orderNumber)).map((attempt) => [attempt.method, attempt.outcome])).toEqual([
      ['api', 'placed'],
    ]);
    expect(h.simulator.orders(store.slug).map((o) => o.externalReference)).toEqual([order.orderNumber]);
    expect(await h.liveTaskOf(order.orderNumber)).toBeUndefined();
  }, 60_000);

  it('when a store falls back from api to manual, then the fallback run goes to the manual queue', async () => {
    const store = await h.createApiStore('falls-back', { fallbackMethod: 'manual' });
    h.simulator.setStock(store.slug, 'MUG', 0);
    await h.startWorker();
    const order = (await h.checkout('fallback-shopper', [{ storeSlug: store.slug, sku: 'MUG' }])).orders[0]!;
    await waitFor(async () => (await h.liveTaskOf(order.orderNumber)) ?? false, 20_000, 'the manual task');
    expect(await queuesHolding(order.orderNumber)).toEqual(['api']);
    expect(await queuesHolding(`${order.orderNumber}.manual`)).toEqual(['manual']);
    expect((await h.order(order.orderNumber)).placementMethod).toBe('manual');
  }, 60_000);

  it('when the same job id is enqueued for different methods, even at once, then one queue holds it and it runs once', async () => {
    const store = await h.createApiStore('one-queue');
    // No worker yet: every enqueue below races against the first.
    const order = (await h.checkout('dedupe-shopper', [{ storeSlug: store.slug, sku: 'MUG' }])).orders[0]!;
    await Promise.all(
      (['headless', 'manual', 'api'] as const).map((method) =>
        h.queue.enqueue([{ orderNumber: order.orderNumber, storeId: store.storeId, method }]),
      ),
    );
    // A sweep's enqueue (no method: read from the order) lands on the same queue.
    await h.queue.enqueue([{ orderNumber: order.orderNumber, storeId: store.storeId }]);
    expect(await queuesHolding(order.orderNumber)).toEqual(['api']);

    const fresh = ['MO-RACE1', 'MO-RACE2', 'MO-RACE3'];
    await Promise.all(
      fresh.flatMap((orderNumber) =>
        QUEUE_METHODS.map((method) => h.queue.enqueue([{ orderNumber, storeId: store.storeId, method }])),
      ),
    );
    for (const orderNumber of fresh) expect(await queuesHolding(orderNumber)).toHaveLength(1);

    await h.startWorker();
    await h.waitForStatus(order.orderNumber, 'placed');
    expect(h.simulator.stats(store.slug).orderCreations).toBe(1);
  }, 60_000);

  it('when jobs wait in the single queue of the previous version, then the workers move them to their method queue and place them once', async () => {
    const store = await h.createApiStore('upgraded');
    const order = (await h.checkout('legacy-shopper', [{ storeSlug: store.slug, sku: 'MUG' }])).orders[0]!;
    // As the previous version left it: the job on the base queue only, no route.
    await (await inspector('api').getJob(order.orderNumber))!.remove();
    const redis = new Redis(REDIS_URL);
    await redis.del(`${h.prefix}:${h.queueName}:route:${order.orderNumber}`);
    await redis.quit();
    await inspector('legacy').add(
      'place',
      { orderNumber: order.orderNumber, storeId: store.storeId },
      { jobId: order.orderNumber, attempts: 6, backoff: { type: 'placement' } },
    );

    await h.startWorker();
    await h.waitForStatus(order.orderNumber, 'placed');
    expect(await inspector('legacy').getJobState(order.orderNumber)).toBe('completed');
    expect(await inspector('api').getJobState(order.orderNumber)).toBe('completed');
    expect(h.simulator.stats(store.slug).orderCreations).toBe(1);
  }, 60_000);
});
