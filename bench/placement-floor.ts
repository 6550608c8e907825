import type { Job } from 'bullmq';
import { createFloorTable } from './support/floor-sql';
import { intListOption, intOption, option } from './support/options';
import {
  printPlacementReport,
  runPlacementRound,
  startRetailerSimulator,
  type PlacementWorkers,
  type RoundResult,
} from './support/placement-round';
import { startChild } from './support/processes';
import { REDIS_URL } from './support/queue';
import { PROFILE_NODE_ARGS, profileRequested } from './support/profile';
import { runBenchmark } from './support/run';

/**
 * `npm run bench:placement-floor`: bench:placement (same seeding, same producer, same job count and options, same
 * retailer simulator) with floor workers (bench/support/floor-worker.ts) instead of src/worker.ts: the least any
 * implementation of an `api` placement does on the mandated stack. Its CPU per order is the floor under the
 * service's, whatever we optimize. A job is done when BullMQ has it completed; enqueue→completed runs from the
 * producer's addBulk to the job's finishedOn (bench:placement stops at the order's placed_at, a little earlier).
 *
 * Settings (flag or BENCH_* env): those of bench:placement (--orders, --workers, --stores, --worker-concurrency,
 * --timeout, --worker-node-args; there is no store gate, so no --store-concurrency), --work (full: SQL and HTTP;
 * none: the processor returns at once, leaving BullMQ's own cost), --sql (trivial: the service's 5 round trips,
 * each trivial; none: no SQL), --db-pool (DATABASE_POOL_MAX, service default).
 */
const settings = {
  orders: intOption('orders', 5000),
  warmupOrders: intOption('warmup-orders', 1000),
  workers: intListOption('workers', [1, 2]),
  stores: intOption('stores', 20),
  workerConcurrency: option('worker-concurrency', ''),
  timeoutS: intOption('timeout', 300),
  work: option('work', 'full'),
  sql: option('sql', 'trivial'),
  dbPool: option('db-pool', ''),
  workerNodeArgs: option('worker-node-args', '').split(/\s+/).filter(Boolean),
  profile: profileRequested(),
};
if (settings.work !== 'full' && settings.work !== 'none')
  throw new Error(`--work must be full or none, got ${settings.work}`);
if (settings.sql !== 'trivial' && settings.sql !== 'none')
  throw new Error(`--sql must be trivial or none, got ${settings.sql}`);
const usesSql = settings.work === 'full' && settings.sql === 'trivial';

const WHAT_IT_DOES =
  settings.work === 'none'
    ? 'floor worker: BullMQ Worker with the service’s options, processor returns at once (no SQL, no HTTP)'
    : 'floor worker: BullMQ Worker with the service’s options; per job ' +
      (usesSql
        ? '5 trivial SQL round trips like the service (named prepared statements on a scratch table), '
        : 'no SQL, ') +
      'the api adapter’s 2 retailer requests (quote, create order; keep-alive); no store gate, no logging';

const floorWorkers: PlacementWorkers = {
  doneLabel: 'completed',
  async start({ database, db, queueName }, count) {
    const stores: { id: string; placement_config: { baseUrl: string; apiKey: string } }[] = await db('stores').select(
      'id',
      'placement_config',
    );
    if (usesSql) await createFloorTable((text) => db.raw(text));
    const env = {
      REDIS_URL,
      PLACEMENT_QUEUE_NAME: queueName,
      FLOOR_WORK: settings.work,
      FLOOR_SQL: usesSql ? 'trivial' : 'none',
      FLOOR_RETAILERS: JSON.stringify(Object.fromEntries(stores.map((s) => [s.id, s.placement_config]))),
      ...(usesSql ? { DATABASE_URL: database.url } : {}),
      ...(settings.workerConcurrency ? { WORKER_CONCURRENCY: settings.workerConcurrency } : {}),
      ...(settings.dbPool ? { DATABASE_POOL_MAX: settings.dbPool } : {}),
    };
    return Array.from({ length: count }, (_, i) =>
      startChild(`floor-worker-${i + 1}`, 'bench/support/floor-worker.ts', env, [
        ...settings.workerNodeArgs,
        ...(settings.profile ? PROFILE_NODE_ARGS : []),
      ]),
    );
  },
  countDone: ({ queue }) => queue.getCompletedCount(),
  async outcome({ queue }) {
    const completed: Job[] = await queue.getJobs(['completed'], 0, -1);
    const doneAt = new Map(completed.filter((job) => job.finishedOn).map((job) => [job.id!, job.finishedOn!]));
    const counts = await queue.getJobCounts(
      'waiting',
      'prioritized',
      'active',
      'delayed',
      'failed',
      'waiting-children',
    );
    const notDone = Object.fromEntries(Object.entries(counts).filter(([, count]) => count > 0));
    return { doneAt, notDone, adapterMs: [] };
  },
};

runBenchmark(async (defer) => {
  if (settings.orders < 2 || settings.stores < 2) throw new Error('--orders and --stores must be at least 2');
  const retailers = await startRetailerSimulator(defer);

  console.log(
    `placement floor benchmark: ${settings.orders} orders over ${settings.stores} stores (2 per checkout), seeded and ` +
      `enqueued as bench:placement does; WORKER_CONCURRENCY ${settings.workerConcurrency || 'default'}, ` +
      `DATABASE_POOL_MAX ${settings.dbPool || 'default'}; workers: ${settings.workers.join(', ')}\n${WHAT_IT_DOES}\n`,
  );
  const results: RoundResult[] = [];
  for (const workers of settings.workers) {
    results.push(await runPlacementRound(floorWorkers, workers, settings, retailers, defer));
  }

  printPlacementReport(results, floorWorkers.doneLabel);
  const expectedRetailerOrders = settings.work === 'none' ? 0 : settings.orders;
  if (results.some((r) => r.placed !== settings.orders || r.retailerOrders !== expectedRetailerOrders)) {
    throw new Error(`some jobs did not complete, or the retailer did not get exactly ${expectedRetailerOrders} orders`);
  }
});
