import { randomBytes } from 'node:crypto';
import { intListOption, intOption, option } from './support/options';
import { startChild } from './support/processes';
import {
  printPlacementReport,
  runPlacementRound,
  startRetailerSimulator,
  type PlacementWorkers,
  type RoundResult,
} from './support/placement-round';
import { REDIS_URL } from './support/queue';
import { PROFILE_NODE_ARGS, profileRequested } from './support/profile';
import { runBenchmark } from './support/run';

/**
 * `npm run bench:placement`: paid orders through the `api` adapter against the retailer API simulator (a child
 * process), placed by W worker processes (src/worker.ts). For each W the run gets a fresh database holding N
 * `pending` orders of paid checkouts (two stores per checkout, spread over S stores), enqueues them all through the
 * BullMQ producer and waits until every order is `placed`.
 *
 * Settings (flag or BENCH_* env): --orders (N, 5000), --warmup-orders (placed first, not counted; 1000), --workers (W list, "1,2"), --stores (S, 20),
 * --worker-concurrency (WORKER_CONCURRENCY, service default), --store-concurrency (WORKER_STORE_CONCURRENCY,
 * service default), --timeout (s per run, 300), --worker-node-args (node flags for the workers, e.g. --cpu-prof),
 * --profile (where the first worker's CPU goes, by owner, and Postgres' by statement; bench/support/profile.ts).
 */
const settings = {
  orders: intOption('orders', 5000),
  warmupOrders: intOption('warmup-orders', 1000),
  workers: intListOption('workers', [1, 2]),
  stores: intOption('stores', 20),
  workerConcurrency: option('worker-concurrency', ''),
  storeConcurrency: option('store-concurrency', ''),
  timeoutS: intOption('timeout', 300),
  /** Extra node flags for the workers, e.g. BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof". */
  workerNodeArgs: option('worker-node-args', '').split(/\s+/).filter(Boolean),
  profile: profileRequested(),
};

/** The service's workers; an order is done when its row says `placed`. */
const serviceWorkers: PlacementWorkers = {
  doneLabel: 'placed',
  async start({ database, queueName }, count) {
    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      REDIS_URL,
      PLACEMENT_QUEUE_NAME: queueName,
      LOG_LEVEL: 'warn',
      JWT_SECRET: `bench-${randomBytes(12).toString('hex')}`,
      // Refunds only follow a failed placement; none is expected, so nothing listens here.
      STRIPE_SECRET_KEY: 'sk_test_bench',
      STRIPE_API_URL: 'http://127.0.0.1:9',
      ...(settings.workerConcurrency ? { WORKER_CONCURRENCY: settings.workerConcurrency } : {}),
      ...(settings.storeConcurrency ? { WORKER_STORE_CONCURRENCY: settings.storeConcurrency } : {}),
    };
    return Array.from({ length: count }, (_, i) =>
      startChild(`worker-${i + 1}`, 'src/worker.ts', env, [
        ...settings.workerNodeArgs,
        ...(settings.profile ? PROFILE_NODE_ARGS : []),
      ]),
    );
  },
  async countDone({ db }) {
    const [{ count }] = await db('orders').where({ status: 'placed' }).count<{ count: number }[]>({ count: '*' });
    return count;
  },
  async outcome({ db }) {
    const rows: { order_number: string; status: string; placed_at: Date | null }[] = await db('orders').select(
      'order_number',
      'status',
      'placed_at',
    );
    const doneAt = new Map(
      rows.filter((row) => row.placed_at).map((row) => [row.order_number, row.placed_at!.getTime()]),
    );
    const notDone: Record<string, number> = {};
    for (const row of rows) if (row.status !== 'placed') notDone[row.status] = (notDone[row.status] ?? 0) + 1;
    const adapterMs: number[] = (await db('placement_attempts').select('duration_ms').orderBy('id')).map(
      (row: { duration_ms: number }) => row.duration_ms,
    );
    return { doneAt, notDone, adapterMs };
  },
};

runBenchmark(async (defer) => {
  if (settings.orders < 2 || settings.stores < 2) throw new Error('--orders and --stores must be at least 2');
  const retailers = await startRetailerSimulator(defer);

  console.log(
    `placement benchmark: ${settings.orders} orders over ${settings.stores} stores (2 per checkout), api adapter against ` +
      `the retailer simulator; WORKER_CONCURRENCY ${settings.workerConcurrency || 'default'}, ` +
      `WORKER_STORE_CONCURRENCY ${settings.storeConcurrency || 'default'}; workers: ${settings.workers.join(', ')}\n`,
  );
  const results: RoundResult[] = [];
  for (const workers of settings.workers) {
    results.push(await runPlacementRound(serviceWorkers, workers, settings, retailers, defer));
  }

  printPlacementReport(results, serviceWorkers.doneLabel);
  if (results.some((r) => r.placed !== settings.orders || r.retailerOrders !== settings.orders)) {
    throw new Error('some orders were not placed exactly once');
  }
});
