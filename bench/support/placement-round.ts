import { availableParallelism } from 'node:os';
import { Queue } from 'bullmq';
import type { Knex } from 'knex';
import { createDb } from '../../src/db/knex';
import { createBullmqPlacementQueue } from '../../src/queue/bullmq-placement-queue';
import { methodQueueName } from '../../src/queue/placement-methods';
import { placementMethodsOf } from '../../src/repositories/placement-routes-repository';
import { connectRetailerApiSimulator, type RemoteRetailerApiSimulator } from '../../src/sandbox/retailer-api';
import { cpuCeiling, cpuUsed, describeCpu, sampleCpu, type CpuGroups } from './cpu';
import { createBenchDatabase, type BenchDatabase } from './database';
import { freePort, sleep, startChild, waitForHttp, type Child } from './processes';
import { obliterateQueue, REDIS_URL, uniqueQueueName } from './queue';
import { teardownScope, type Defer } from './run';
import { measuredProfile } from './profile';
import { seedPaidOrders } from './seed-paid-orders';
import { ms, perSecond, printTable, summarize } from './stats';

/**
 * One round of a placement benchmark (bench:placement, bench:placement-floor): a fresh database holding N `pending`
 * orders of paid checkouts, a fresh queue, W worker processes of some kind, every order enqueued at once through the
 * service's BullMQ producer, and the CPU every process group spent until the workers were done.
 */
export interface PlacementRoundSettings {
  orders: number;
  /** Orders placed first and not counted, so the workers' JIT, pools and prepared statements are warm. */
  warmupOrders: number;
  stores: number;
  /** Where the first worker's CPU goes, and Postgres' by statement (bench/support/profile.ts). */
  profile?: boolean;
  /** Seconds a round may take before it gives up. */
  timeoutS: number;
}

export interface RoundContext {
  database: BenchDatabase;
  /** Knex on the round's database (small pool, the benchmark's own). */
  db: Knex;
  queueName: string;
  /** The round's queue, for reading its state (never for adding jobs: the service's producer does that). */
  queue: Queue;
  simulator: RemoteRetailerApiSimulator;
}

/** What a kind of worker process does differently: how it is started, and how its progress is read. */
export interface PlacementWorkers {
  /** What the report calls a finished job, e.g. `placed` (the order's status) or `completed` (BullMQ's). */
  doneLabel: string;
  start(round: RoundContext, count: number): Promise<Child[]>;
  /** How many jobs are done so far; polled every 100 ms. */
  countDone(round: RoundContext): Promise<number>;
  /** After the round: when each done job was done (by order number), what is not done (by state), adapter timings. */
  outcome(
    round: RoundContext,
  ): Promise<{ doneAt: Map<string, number>; notDone: Record<string, number>; adapterMs: number[] }>;
}

export interface RoundResult {
  workers: number;
  placed: number;
  notPlaced: Record<string, number>;
  elapsedMs: number;
  latency: ReturnType<typeof summarize>;
  /** How long the adapter's calls to the retailer took, where the workers record it. */
  adapter: ReturnType<typeof summarize>;
  retailerOrders: number;
  cpu: string;
}

export interface RetailerSimulator {
  simulator: RemoteRetailerApiSimulator;
  process: Child;
}

/** The retailer API simulator as a child process, shared by every round of a benchmark. */
export async function startRetailerSimulator(defer: Defer): Promise<RetailerSimulator> {
  const port = await freePort();
  const child = startChild('retailer-simulator', 'src/sandbox/retailer-api/cli.ts', {
    RETAILER_SIM_PORT: String(port),
    LOG_LEVEL: 'warn',
  });
  defer('stop the retailer simulator', () => child.stop());
  const simulator = connectRetailerApiSimulator(`http://127.0.0.1:${port}`);
  await waitForHttp(child, `${simulator.url}/_sim/retailers`);
  return { simulator, process: child };
}

/** One measured round with `workerCount` workers of the given kind. */
export async function runPlacementRound(
  kind: PlacementWorkers,
  workerCount: number,
  settings: PlacementRoundSettings,
  retailers: RetailerSimulator,
  outerDefer: Defer,
): Promise<RoundResult> {
  const { defer, close } = teardownScope(outerDefer);
  try {
    const database = await createBenchDatabase();
    defer(`drop database ${database.name}`, () => database.drop());
    const db = createDb(database.url, 4);
    defer('close the seeding pool', () => db.destroy());
    const queueName = uniqueQueueName('placement');
    defer(`obliterate queue ${queueName}`, () => obliterateQueue(queueName));
    // Every seeded store places by api: its orders go to the api method queue.
    const queue = new Queue(methodQueueName(queueName, 'api'), { connection: { url: REDIS_URL } });
    defer('close the observing queue', () => queue.close());
    const round: RoundContext = { database, db, queueName, queue, simulator: retailers.simulator };

    const seeded = await seedPaidOrders(db, retailers.simulator, {
      orders: settings.warmupOrders + settings.orders,
      stores: settings.stores,
    });
    const warmup = seeded.slice(0, settings.warmupOrders);
    const orderNumbers = seeded.slice(settings.warmupOrders);
    const workers = await kind.start(round, workerCount);
    for (const worker of workers) defer(`stop ${worker.name}`, () => worker.stop(10_000));
    await waitForWorkers(queue, workers);
    if (warmup.length > 0) {
      await enqueueAll(queueName, warmup, db);
      const warmed = await waitUntilDone(kind, round, warmup.length, settings.timeoutS, Date.now());
      if (warmed < warmup.length) throw new Error(`only ${warmed}/${warmup.length} warm-up orders were done`);
    }

    const cpuGroups: CpuGroups = {
      ...Object.fromEntries(workers.map((w) => [w.name, { pid: w.process.pid!, descendants: true }])),
      postgres: { commandLineIncludes: ` ${database.name} ` },
      'retailer-simulator': { pid: retailers.process.process.pid!, descendants: true },
      'redis (shared)': { commandLineIncludes: 'redis-server' },
      bench: { pid: process.pid, descendants: false },
    };
    const profile = await measuredProfile(settings.profile ?? false, {
      label: `${workers[0]!.name} (of ${workers.length})`,
      unit: 'order',
      pid: () => workers[0]!.process.pid!,
      database,
    });
    profile?.start();
    const cpuBefore = sampleCpu(cpuGroups);
    const started = Date.now();
    const enqueuedAt = await enqueueAll(queueName, orderNumbers, db);
    const total = warmup.length + orderNumbers.length;
    const placed = (await waitUntilDone(kind, round, total, settings.timeoutS, started)) - warmup.length;
    const cpu = cpuUsed(cpuBefore, sampleCpu(cpuGroups));
    await profile?.finish(cpu?.get(workers[0]!.name), placed / workers.length);

    const outcome = await kind.outcome(round);
    const { notDone } = outcome;
    const doneAt = new Map([...outcome.doneAt].filter(([orderNumber]) => enqueuedAt.has(orderNumber)));
    const adapterMs = outcome.adapterMs.slice(warmup.length);
    const doneTimes = [...doneAt.values()];
    const elapsedMs = (doneTimes.length > 0 ? Math.max(...doneTimes) : Date.now()) - started;
    const latencies = [...doneAt].map(([orderNumber, at]) => at - enqueuedAt.get(orderNumber)!);
    const result: RoundResult = {
      workers: workerCount,
      placed,
      notPlaced: notDone,
      elapsedMs,
      latency: summarize(latencies),
      adapter: summarize(adapterMs),
      retailerOrders: (await countRetailerOrders(retailers.simulator)) - warmup.length,
      cpu: `${describeCpu(cpu, elapsedMs, placed)}\n    ceiling: ${cpuCeiling(cpu, placed, availableParallelism()).replace('unit', 'order')}`,
    };
    console.log(
      `${workerCount} worker(s): ${placed} ${kind.doneLabel} in ${(elapsedMs / 1000).toFixed(1)} s → ${perSecond(placed, elapsedMs).toFixed(0)} orders/s`,
    );
    return result;
  } finally {
    await close();
  }
}

/** The results table and the CPU lines, one row per round. */
export function printPlacementReport(results: RoundResult[], doneLabel: string): void {
  printTable([
    [
      'workers',
      doneLabel,
      'elapsed',
      'orders/s',
      `p50 enqueue→${doneLabel}`,
      `p99 enqueue→${doneLabel}`,
      'p50 / p99 adapter',
      'retailer orders',
      `not ${doneLabel}`,
    ],
    ...results.map((r) => [
      r.workers,
      r.placed,
      `${(r.elapsedMs / 1000).toFixed(1)} s`,
      perSecond(r.placed, r.elapsedMs).toFixed(0),
      ms(r.latency.p50),
      ms(r.latency.p99),
      `${ms(r.adapter.p50)} / ${ms(r.adapter.p99)}`,
      r.retailerOrders,
      Object.entries(r.notPlaced)
        .map(([status, count]) => `${status}: ${count}`)
        .join(', ') || '—',
    ]),
  ]);
  console.log(`\nCPU, % of one core and per order:`);
  for (const r of results) console.log(`  ${r.workers} worker(s): ${r.cpu}`);
}

/** Waits until every worker process has its BullMQ consumer connected, so start-up is not measured. */
async function waitForWorkers(queue: Queue, workers: Child[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await queue.getWorkersCount()) < workers.length) {
    const dead = workers.find((w) => w.process.exitCode !== null || w.process.signalCode !== null);
    if (dead) throw new Error(`${dead.name} exited before it was ready:\n${dead.tail()}`);
    if (Date.now() > deadline)
      throw new Error(`workers not connected within 60 s:\n${workers.map((w) => w.tail()).join('\n')}`);
    await sleep(200);
  }
}

/** Enqueues every order through the service's producer, in batches; returns when each order was handed over. */
async function enqueueAll(queueName: string, orderNumbers: string[], db: Knex): Promise<Map<string, number>> {
  const storeOf = new Map<string, string>(
    (await db('orders').select('order_number', 'store_id')).map((row: { order_number: string; store_id: string }) => [
      row.order_number,
      row.store_id,
    ]),
  );
  const producer = createBullmqPlacementQueue({
    redisUrl: REDIS_URL,
    queueName,
    methodsOf: (numbers) => placementMethodsOf(db, numbers),
  });
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

/** Polls until `target` jobs are done, or nothing has moved for 30 s, or the timeout. Returns how many are done. */
async function waitUntilDone(
  kind: PlacementWorkers,
  round: RoundContext,
  target: number,
  timeoutS: number,
  started: number,
): Promise<number> {
  let done = 0;
  let lastProgress = Date.now();
  while (done < target) {
    await sleep(100);
    const count = await kind.countDone(round);
    if (count > done) lastProgress = Date.now();
    done = count;
    if (Date.now() - lastProgress > 30_000) {
      console.error(`no progress for 30 s with ${done}/${target} ${kind.doneLabel}; giving up on this run`);
      break;
    }
    if (Date.now() - started > timeoutS * 1000) {
      console.error(`timeout after ${timeoutS} s with ${done}/${target} ${kind.doneLabel}`);
      break;
    }
  }
  return done;
}

async function countRetailerOrders(simulator: RemoteRetailerApiSimulator): Promise<number> {
  const stats = await Promise.all((await simulator.retailers()).map((r) => simulator.stats(r.slug)));
  return stats.reduce((sum, { orderCreations }) => sum + orderCreations, 0);
}
