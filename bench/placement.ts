import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Queue } from 'bullmq';
import type { Knex } from 'knex';
import { createDb } from '../src/db/knex';
import { createBullmqPlacementQueue } from '../src/queue/bullmq-placement-queue';
import { connectRetailerApiSimulator, type RemoteRetailerApiSimulator } from '../src/sandbox/retailer-api';
import { cpuCeiling, cpuUsed, describeCpu, sampleCpu, type CpuGroups } from './support/cpu';
import { createBenchDatabase } from './support/database';
import { intListOption, intOption, option } from './support/options';
import { freePort, sleep, startChild, waitForHttp, type Child } from './support/processes';
import { obliterateQueue, REDIS_URL, uniqueQueueName } from './support/queue';
import { runBenchmark, teardownScope, type Defer } from './support/run';
import { seedPaidOrders } from './support/seed-paid-orders';
import { ms, perSecond, printTable, summarize } from './support/stats';

/**
 * `npm run bench:placement`: paid orders through the `api` adapter against the retailer API simulator (a child
 * process), placed by W worker processes (src/worker.ts). For each W the run gets a fresh database holding N
 * `pending` orders of paid checkouts (two stores per checkout, spread over S stores), enqueues them all through the
 * BullMQ producer and waits until every order is `placed`.
 *
 * Settings (flag or BENCH_* env): --orders (N, 5000), --workers (W list, "1,2"), --stores (S, 20),
 * --worker-concurrency (WORKER_CONCURRENCY, service default), --store-concurrency (WORKER_STORE_CONCURRENCY,
 * service default), --timeout (s per run, 300), --worker-node-args (node flags for the workers, e.g. --cpu-prof).
 */
const settings = {
  orders: intOption('orders', 5000),
  workers: intListOption('workers', [1, 2]),
  stores: intOption('stores', 20),
  workerConcurrency: option('worker-concurrency', ''),
  storeConcurrency: option('store-concurrency', ''),
  timeoutS: intOption('timeout', 300),
  /** Extra node flags for the workers, e.g. BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof". */
  workerNodeArgs: option('worker-node-args', '').split(/\s+/).filter(Boolean),
};
interface RunResult {
  workers: number;
  placed: number;
  notPlaced: Record<string, number>;
  elapsedMs: number;
  latency: ReturnType<typeof summarize>;
  /** How long the adapter's calls to the retailer took (placement_attempts.duration_ms). */
  adapter: ReturnType<typeof summarize>;
  retailerOrders: number;
  cpu: string;
}

runBenchmark(async (defer) => {
  if (settings.orders < 2 || settings.stores < 2) throw new Error('--orders and --stores must be at least 2');
  const simulatorPort = await freePort();
  const simulatorProcess = startChild('retailer-simulator', 'src/sandbox/retailer-api/cli.ts', {
    RETAILER_SIM_PORT: String(simulatorPort),
    LOG_LEVEL: 'warn',
  });
  defer('stop the retailer simulator', () => simulatorProcess.stop());
  const simulator = connectRetailerApiSimulator(`http://127.0.0.1:${simulatorPort}`);
  await waitForHttp(simulatorProcess, `${simulator.url}/_sim/retailers`);

  console.log(
    `placement benchmark: ${settings.orders} orders over ${settings.stores} stores (2 per checkout), api adapter against ` +
      `the retailer simulator; WORKER_CONCURRENCY ${settings.workerConcurrency || 'default'}, ` +
      `WORKER_STORE_CONCURRENCY ${settings.storeConcurrency || 'default'}; workers: ${settings.workers.join(', ')}\n`,
  );
  const results: RunResult[] = [];
  for (const workers of settings.workers) {
    results.push(await runWithWorkers(workers, simulator, simulatorProcess, defer));
  }

  printTable([
    ['workers', 'placed', 'elapsed', 'orders/s', 'p50 enqueue→placed', 'p99 enqueue→placed', 'p50 / p99 adapter', 'retailer orders', 'not placed'],
    ...results.map((r) => [
      r.workers,
      r.placed,
      `${(r.elapsedMs / 1000).toFixed(1)} s`,
      perSecond(r.placed, r.elapsedMs).toFixed(0),
      ms(r.latency.p50),
      ms(r.latency.p99),
      `${ms(r.adapter.p50)} / ${ms(r.adapter.p99)}`,
      r.retailerOrders,
      Object.entries(r.notPlaced).map(([status, count]) => `${status}: ${count}`).join(', ') || '—',
    ]),
  ]);
  console.log(`\nCPU, % of one core and per order:`);
  for (const r of results) console.log(`  ${r.workers} worker(s): ${r.cpu}`);
  if (results.some((r) => r.placed !== settings.orders || r.retailerOrders !== settings.orders)) {
    throw new Error('some orders were not placed exactly once');
  }
});

/** One measured run: fresh database and queue, W workers, all orders enqueued at once. */
async function runWithWorkers(
  workerCount: number,
  simulator: RemoteRetailerApiSimulator,
  simulatorProcess: Child,
  outerDefer: Defer,
): Promise<RunResult> {
  const { defer, close } = teardownScope(outerDefer);
  try {
    const database = await createBenchDatabase();
    defer(`drop database ${database.name}`, () => database.drop());
    const db = createDb(database.url, 4);
    defer('close the seeding pool', () => db.destroy());
    const queueName = uniqueQueueName('placement');
    defer(`obliterate queue ${queueName}`, () => obliterateQueue(queueName));

    const orderNumbers = await seedPaidOrders(db, simulator, { orders: settings.orders, stores: settings.stores });
    const workerEnv = {
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
    const workers = Array.from({ length: workerCount }, (_, i) =>
      startChild(`worker-${i + 1}`, 'src/worker.ts', workerEnv, settings.workerNodeArgs),
    );
    for (const worker of workers) defer(`stop ${worker.name}`, () => worker.stop(10_000));
    await waitForWorkers(queueName, workers);

    const cpuGroups: CpuGroups = {
      ...Object.fromEntries(workers.map((w) => [w.name, { pid: w.process.pid!, descendants: true }])),
      postgres: { commandLineIncludes: ` ${database.name} ` },
      'retailer-simulator': { pid: simulatorProcess.process.pid!, descendants: true },
      'redis (shared)': { commandLineIncludes: 'redis-server' },
      bench: { pid: process.pid, descendants: false },
    };
    const cpuBefore = sampleCpu(cpuGroups);
    const started = Date.now();
    const enqueuedAt = await enqueueAll(queueName, orderNumbers, db);
    const placed = await waitUntilSettled(db, started);
    const cpu = cpuUsed(cpuBefore, sampleCpu(cpuGroups));

    const rows: { order_number: string; status: string; placed_at: Date | null }[] = await db('orders').select('order_number', 'status', 'placed_at');
    const placedAt = rows.filter((row) => row.placed_at).map((row) => row.placed_at!.getTime());
    const elapsedMs = (placedAt.length > 0 ? Math.max(...placedAt) : Date.now()) - started;
    const notPlaced: Record<string, number> = {};
    for (const row of rows) if (row.status !== 'placed') notPlaced[row.status] = (notPlaced[row.status] ?? 0) + 1;
    const latencies = rows.filter((row) => row.placed_at).map((row) => row.placed_at!.getTime() - enqueuedAt.get(row.order_number)!);
    const adapterMs: number[] = (await db('placement_attempts').select('duration_ms')).map((row: { duration_ms: number }) => row.duration_ms);
    const retailerOrders = (await Promise.all((await simulator.retailers()).map((r) => simulator.stats(r.slug)))).reduce(
      (sum, stats) => sum + stats.orderCreations,
      0,
    );
    const result: RunResult = {
      workers: workerCount,
      placed,
      notPlaced,
      elapsedMs,
      latency: summarize(latencies),
      adapter: summarize(adapterMs),
      retailerOrders,
      cpu: `${describeCpu(cpu, elapsedMs, placed)}\n    ceiling: ${cpuCeiling(cpu, placed, availableParallelism()).replace('unit', 'order')}`,
    };
    console.log(`${workerCount} worker(s): ${placed} placed in ${(elapsedMs / 1000).toFixed(1)} s → ${perSecond(placed, elapsedMs).toFixed(0)} orders/s`);
    return result;
  } finally {
    await close();
  }
}

/** Waits until every worker process has its BullMQ consumer connected, so start-up is not measured. */
async function waitForWorkers(queueName: string, workers: Child[]): Promise<void> {
  const queue = new Queue(queueName, { connection: { url: REDIS_URL } });
  try {
    const deadline = Date.now() + 60_000;
    while ((await queue.getWorkersCount()) < workers.length) {
      const dead = workers.find((w) => w.process.exitCode !== null || w.process.signalCode !== null);
      if (dead) throw new Error(`${dead.name} exited before it was ready:\n${dead.tail()}`);
      if (Date.now() > deadline) throw new Error(`workers not connected within 60 s:\n${workers.map((w) => w.tail()).join('\n')}`);
      await sleep(200);
    }
  } finally {
    await queue.close();
  }
}

/** Enqueues every order through the service's producer, in batches; returns when each order was handed over. */
async function enqueueAll(queueName: string, orderNumbers: string[], db: Knex): Promise<Map<string, number>> {
  const storeOf = new Map<string, string>(
    (await db('orders').select('order_number', 'store_id')).map((row: { order_number: string; store_id: string }) => [row.order_number, row.store_id]),
  );
  const producer = createBullmqPlacementQueue({ redisUrl: REDIS_URL, queueName });
  const enqueuedAt = new Map<string, number>();
  try {
    for (let first = 0; first < orderNumbers.length; first += 500) {
      const batch = orderNumbers.slice(first, first + 500);
      const at = Date.now();
      await producer.enqueue(batch.map((orderNumber) => ({ orderNumber, storeId: storeOf.get(orderNumber)! })));
      for (const orderNumber of batch) enqueuedAt.set(orderNumber, at);
    }
  } finally {
    await producer.close();
  }
  return enqueuedAt;
}

/** Polls until every order is placed, or nothing has moved for 30 s, or the run's timeout. Returns how many are placed. */
async function waitUntilSettled(db: Knex, started: number): Promise<number> {
  let placed = 0;
  let lastProgress = Date.now();
  while (placed < settings.orders) {
    await sleep(100);
    const [{ count }] = await db('orders').where({ status: 'placed' }).count<{ count: number }[]>({ count: '*' });
    if (count > placed) lastProgress = Date.now();
    placed = count;
    if (Date.now() - lastProgress > 30_000) {
      console.error(`no progress for 30 s with ${placed}/${settings.orders} placed; giving up on this run`);
      break;
    }
    if (Date.now() - started > settings.timeoutS * 1000) {
      console.error(`timeout after ${settings.timeoutS} s with ${placed}/${settings.orders} placed`);
      break;
    }
  }
  return placed;
}
