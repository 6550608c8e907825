import { spawn } from 'node:child_process';
import path from 'node:path';
import { Queue } from 'bullmq';
import { methodQueueName } from '../src/queue/placement-methods';
import { REDIS_URL, startPlacementHarness, waitFor, type PlacementHarness } from './support/placement-harness';
import { TEST_JWT_SECRET } from './support/tokens';

let h: PlacementHarness;
let inspector: Queue;
beforeAll(async () => {
  // BullMQ's default prefix, because src/worker.ts (spawned below) uses it; the queue name alone is unique.
  h = await startPlacementHarness({ prefix: 'bull', startWorker: false });
  // Its stores place by api: their jobs are on the api method queue.
  inspector = new Queue(methodQueueName(h.queueName, 'api'), { connection: { url: REDIS_URL }, prefix: h.prefix });
}, 60_000);
afterAll(async () => {
  await inspector?.close();
  await h?.close();
});

/** Jobs of one order that are still to run (waiting, delayed or running). */
async function unfinishedJobsOf(orderNumber: string) {
  const jobs = await inspector.getJobs(['waiting', 'delayed', 'active', 'prioritized']);
  return jobs.filter((job) => job.data.orderNumber === orderNumber);
}

/** Runs `npm run worker`'s entry point in its own process group, as a deployment would. */
function spawnWorkerProcess(env: Record<string, string>) {
  const child = spawn('npx', ['tsx', 'src/worker.ts'], {
    cwd: path.resolve(__dirname, '..'),
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  child.once('exit', (code, signal) => {
    exit = { code, signal };
  });
  return {
    exitedYet: async () => exit,
    stderr: () => stderr,
    /** Ends whatever is left of the process group (npx, tsx, the worker), if anything. */
    kill() {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
    },
  };
}

describe('a placement worker that dies', () => {
  it('when a worker is killed after the retailer took the order but before recording it, then another worker finishes it without ordering twice', async () => {
    await h.stopWorker();
    const store = await h.createApiStore('crash-api');
    const checkout = await h.checkout('crash-shopper', [{ storeSlug: store.slug, sku: 'MUG' }]);
    const { orderNumber } = checkout.orders[0]!;

    const worker = spawnWorkerProcess({
      DATABASE_URL: h.database.url,
      REDIS_URL,
      PLACEMENT_QUEUE_NAME: h.queueName,
      STRIPE_SECRET_KEY: 'sk_test_x',
      STRIPE_API_URL: h.stripe.url,
      JWT_SECRET: TEST_JWT_SECRET,
      WORKER_LOCK_MS: '2000',
      WORKER_STALLED_CHECK_MS: '1000',
      CHAOS_CRASH_AT: 'placement.after_adapter',
      LOG_LEVEL: 'warn',
    });
    try {
      const exit = await waitFor(() => worker.exitedYet(), 45_000, 'the worker process to crash').catch(
        (error: Error) => {
          throw new Error(`${error.message}; its stderr: ${worker.stderr()}`);
        },
      );
      expect(exit.signal === 'SIGKILL' || exit.code === 137).toBe(true);
    } finally {
      worker.kill();
    }

    // The retailer has the order; we do not know it yet.
    expect(h.simulator.stats(store.slug).orderCreations).toBe(1);
    expect(await h.order(orderNumber)).toMatchObject({ status: 'placing', storeOrderNumber: null });

    await h.startWorker({ lockDurationMs: 2000, stalledIntervalMs: 1000 });
    const placed = await h.waitForStatus(orderNumber, 'placed', 30_000);
    const [retailerOrder, ...more] = h.simulator.orders(store.slug);
    expect(more).toEqual([]);
    expect(placed.storeOrderNumber).toBe(retailerOrder!.orderNumber);
    expect(h.simulator.stats(store.slug)).toMatchObject({ orderCreations: 1, orderRequests: 1, lookups: 1 });
    const attempts = await h.attemptsOf(orderNumber);
    expect(attempts.map((a) => a.outcome)).toEqual(['placed', 'placed']);
    expect(attempts[1].details).toMatchObject({ recoveredByLookup: true });
    expect(placed.statusHistory.map((e: { toStatus: string }) => e.toStatus)).toEqual(['pending', 'placing', 'placed']);
  }, 90_000);
});

describe('the same order enqueued again', () => {
  it('when an order is enqueued twice and swept as pending, then the retailer gets one order', async () => {
    await h.stopWorker();
    const store = await h.createApiStore('dupe-api');
    const checkout = await h.checkout('dupe-shopper', [{ storeSlug: store.slug, sku: 'LANTERN' }]);
    const { orderNumber, storeId } = checkout.orders[0]!;

    // Nobody consumes the queue yet: the order is pending, as after a lost enqueue.
    await h.queue.enqueue([{ orderNumber, storeId }]);
    await h.queue.enqueue([{ orderNumber, storeId }]);
    expect(await h.app.services.placement.sweepPendingOrders(0)).toBeGreaterThanOrEqual(1);
    expect(await unfinishedJobsOf(orderNumber)).toHaveLength(1);

    await h.startWorker();
    await h.waitForStatus(orderNumber, 'placed');

    // Late duplicates after the order was placed: the finished job still holds the id, and the order is not pending.
    await h.queue.enqueue([{ orderNumber, storeId }]);
    expect(await h.app.services.placement.sweepPendingOrders(0)).toBe(0);
    expect(await unfinishedJobsOf(orderNumber)).toEqual([]);
    expect(h.simulator.stats(store.slug)).toMatchObject({ orderRequests: 1, orderCreations: 1 });
    expect(await h.attemptsOf(orderNumber)).toHaveLength(1);
  });
});
