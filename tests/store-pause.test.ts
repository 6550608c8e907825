import { spawn } from 'node:child_process';
import path from 'node:path';
import { Queue } from 'bullmq';
import { createInProcessPlacementQueue } from '../src/queue/in-process-placement-queue';
import { createStoreLeversService } from '../src/services/store-levers-service';
import { methodQueueName } from '../src/queue/placement-methods';
import type { PlacementJob } from '../src/queue/placement-queue';
import {
  admin,
  ops,
  REDIS_URL,
  startPlacementHarness,
  waitFor,
  type PlacementHarness,
} from './support/placement-harness';
import { TEST_JWT_SECRET } from './support/tokens';

let h: PlacementHarness;
let inspector: Queue;
beforeAll(async () => {
  // BullMQ's default prefix, because src/worker.ts (spawned below) uses it; the queue name alone is unique.
  h = await startPlacementHarness({ prefix: 'bull', startWorker: false });
  // The paused store places by api: its jobs are held on the api method queue.
  inspector = new Queue(methodQueueName(h.queueName, 'api'), { connection: { url: REDIS_URL }, prefix: h.prefix });
}, 60_000);
afterAll(async () => {
  await inspector?.close();
  await h?.close();
});

/** `npm run worker` in its own process group, so the test can SIGKILL it as a crash would. */
function spawnWorkerProcess(env: Record<string, string>) {
  const child = spawn('npx', ['tsx', 'src/worker.ts'], {
    cwd: path.resolve(__dirname, '..'),
    env: { ...process.env, ...env },
    detached: true,
    stdio: 'ignore',
  });
  return {
    kill() {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
    },
  };
}

describe('pausing a store (BullMQ)', () => {
  it('when a store is paused, then its orders wait without spending an attempt, even across a killed worker, and a resume places each once, in order', async () => {
    const store = await h.createApiStore('paused-api');
    const other = await h.createApiStore('open-api');
    await h.http
      .post(`/api/v1/ops/stores/${store.slug}/pause`)
      .set(ops)
      .send({ reason: 'retailer maintenance window' })
      .expect(200);

    const worker = spawnWorkerProcess({
      DATABASE_URL: h.database.url,
      REDIS_URL,
      PLACEMENT_QUEUE_NAME: h.queueName,
      STRIPE_SECRET_KEY: 'sk_test_x',
      STRIPE_API_URL: h.stripe.url,
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'warn',
    });
    const orderNumbers: string[] = [];
    let otherOrder: string;
    try {
      for (let i = 0; i < 4; i++) {
        const checkout = await h.checkout(`pause-shopper-${i}`, [{ storeSlug: store.slug, sku: 'MUG' }]);
        orderNumbers.push(checkout.orders[0]!.orderNumber);
      }
      otherOrder = (await h.checkout('open-shopper', [{ storeSlug: other.slug, sku: 'MUG' }])).orders[0]!.orderNumber;
      // The other store's order goes through; every order of the paused one was seen and held back, none tried.
      await h.waitForStatus(otherOrder, 'placed', 45_000);
      await waitFor(
        async () => {
          const delayed = await inspector.getDelayed();
          return orderNumbers.every((n) => delayed.some((job) => job.data.orderNumber === n));
        },
        30_000,
        "the paused store's jobs to be held",
      );
    } finally {
      worker.kill();
    }

    for (const orderNumber of orderNumbers) {
      expect(await h.order(orderNumber)).toMatchObject({ status: 'pending' });
      expect(await h.attemptsOf(orderNumber)).toEqual([]);
    }
    const held = (await inspector.getDelayed()).filter((job) => job.data.storeId === store.storeId);
    expect(held.map((job) => job.attemptsMade)).toEqual([0, 0, 0, 0]);
    expect(h.simulator.stats(store.slug).orderRequests).toBe(0);

    // One job at a time, so the start order is the placing order.
    await h.startWorker({ concurrency: 1 });
    const resumed = await h.http
      .post(`/api/v1/ops/stores/${store.slug}/resume`)
      .set(ops)
      .send({ reason: 'maintenance over' })
      .expect(200);
    expect(resumed.body.data.releasedPlacements).toBe(4);

    const placed = [];
    for (const orderNumber of orderNumbers) placed.push(await h.waitForStatus(orderNumber, 'placed', 30_000));
    const retailerOrders = h.simulator.orders(store.slug);
    expect(retailerOrders).toHaveLength(4);
    expect(h.simulator.stats(store.slug).orderCreations).toBe(4);
    // Placed in the order they were paid for, each bought once on its first attempt.
    expect(placed.map((o) => o.storeOrderNumber)).toEqual(
      retailerOrders.map((o: { orderNumber: string }) => o.orderNumber),
    );
    for (const orderNumber of orderNumbers) {
      expect((await h.attemptsOf(orderNumber)).map((a) => [a.outcome, a.attempt])).toEqual([['placed', 1]]);
    }
  }, 120_000);

  it('when a headless store has its own concurrency, then the queue limits it to that while it is placed headless', async () => {
    const headless = await h.createHeadlessStore('own-concurrency');
    const { placement_config: placementConfig } = await h.database
      .db('stores')
      .where({ id: headless.storeId })
      .first('placement_config');
    await h.http
      .put(`/api/v1/admin/stores/${headless.slug}`)
      .set(admin)
      .send({ placementConfig: { ...placementConfig, concurrency: 1 } })
      .expect(200);
    expect(await h.app.services.storeLevers.slotLimit(headless.storeId)).toBe(1);

    await h.http
      .post(`/api/v1/ops/stores/${headless.slug}/method`)
      .set(ops)
      .send({ placementMethod: 'manual', reason: 'shop down' })
      .expect(200);
    expect(await h.app.services.storeLevers.slotLimit(headless.storeId)).toBeUndefined();
    const api = await h.createApiStore('own-concurrency-api');
    expect(await h.app.services.storeLevers.slotLimit(api.storeId)).toBeUndefined();
  });

  it('when a store is switched to people, then the next placement becomes a task while a placed order keeps its method', async () => {
    await h.stopWorker();
    await h.startWorker();
    const store = await h.createApiStore('switch-api');
    const before = (await h.checkout('switch-1', [{ storeSlug: store.slug, sku: 'LANTERN' }])).orders[0]!.orderNumber;
    await h.waitForStatus(before, 'placed');

    await h.http
      .post(`/api/v1/ops/stores/${store.slug}/method`)
      .set(ops)
      .send({ placementMethod: 'manual', reason: 'retailer API outage' })
      .expect(200);
    const during = (await h.checkout('switch-2', [{ storeSlug: store.slug, sku: 'LANTERN' }])).orders[0]!.orderNumber;
    await waitFor(() => h.liveTaskOf(during), 20_000, 'the manual task');
    expect(await h.order(during)).toMatchObject({ status: 'placing', placementMethod: 'manual' });
    expect(await h.order(before)).toMatchObject({ status: 'placed', placementMethod: 'api' });

    await h.http
      .post(`/api/v1/ops/stores/${store.slug}/method`)
      .set(ops)
      .send({ placementMethod: 'api', reason: 'outage over' })
      .expect(200);
    const after = (await h.checkout('switch-3', [{ storeSlug: store.slug, sku: 'LANTERN' }])).orders[0]!.orderNumber;
    expect(await h.waitForStatus(after, 'placed')).toMatchObject({ placementMethod: 'api' });
    expect(h.simulator.stats(store.slug).orderCreations).toBe(2);
  }, 60_000);
});

describe("a worker's reading of a pause", () => {
  it('when ops resume a store from the API, then a worker that had read it paused sees the resume at once', async () => {
    const store = await h.createApiStore('resumed-api');
    // Another process's view of the levers, trusting its readings for a minute: a worker's, beside the API.
    const worker = createStoreLeversService(h.app.services.deps, undefined, { pauseCacheMs: 60_000 });
    await h.http.post(`/api/v1/ops/stores/${store.slug}/pause`).set(ops).send({ reason: 'stock count' }).expect(200);
    expect(await worker.isPaused(store.storeId)).toBe(true);

    await h.http.post(`/api/v1/ops/stores/${store.slug}/resume`).set(ops).send({ reason: 'done' }).expect(200);
    // The resume's release hands the held jobs to the workers now; one still trusting "paused" would hold them
    // again for a whole recheck period.
    expect(await worker.isPaused(store.storeId)).toBe(false);
  });
});

describe('pausing a store (in-process queue)', () => {
  it('when a store is paused, then its jobs wait without an attempt, and a release runs them in the order they came', async () => {
    const paused = new Set(['s1']);
    const ran: Array<[string, number]> = [];
    const queue = createInProcessPlacementQueue({
      handler: async (job, attempt) => {
        ran.push([job.orderNumber, attempt.attempt]);
      },
      onExhausted: async () => undefined,
      isStorePaused: async (storeId) => paused.has(storeId),
      concurrency: 1,
      pausedRecheckMs: 60_000,
    });
    try {
      const jobs: PlacementJob[] = ['MO-A', 'MO-B', 'MO-C'].map((orderNumber) => ({ orderNumber, storeId: 's1' }));
      await queue.enqueue([...jobs, { orderNumber: 'MO-OTHER', storeId: 's2' }]);
      await waitFor(async () => ran.length === 1, 5_000, "the open store's job");
      expect(ran).toEqual([['MO-OTHER', 1]]);
      // Nothing lost: a duplicate of a held job is still deduplicated.
      await queue.enqueue([jobs[0]!]);

      paused.delete('s1');
      expect(await queue.releaseStore('s1')).toBe(3);
      await queue.drain();
      expect(ran).toEqual([
        ['MO-OTHER', 1],
        ['MO-A', 1],
        ['MO-B', 1],
        ['MO-C', 1],
      ]);
    } finally {
      await queue.close();
    }
  });
});
