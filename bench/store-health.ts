import { createDb } from '../src/db/knex';
import { storeMethodCounts } from '../src/repositories/store-health-repository';
import { HEALTH_WINDOWS, type HealthWindow } from '../src/services/store-health-service';
import { cpuUsed, sampleCpu } from './support/cpu';
import { createBenchDatabase } from './support/database';
import { intOption } from './support/options';
import { seedYearOfOrders } from './support/order-year';
import { runBenchmark } from './support/run';

/**
 * `npm run bench:store-health`: the GET /ops/stores figures (every store and method over 1h, 24h, 7d) on a year of
 * generated orders. Prints how long seeding took, then per window the median and worst of R runs of the query,
 * warm (the usual case: the dashboard asks every few seconds), how many orders the window covered, and the CPU
 * Postgres spent per query (its backends for this database and their parallel workers): on a machine shared with
 * other work the wall time says more about the neighbours than about the query, the CPU does not.
 *
 * Settings (flag or BENCH_* env): --orders (a year's worth, 1000000), --stores (20), --runs (R, 9).
 */
const settings = {
  orders: intOption('orders', 1_000_000),
  stores: intOption('stores', 20),
  runs: intOption('runs', 9),
};

runBenchmark(async (defer) => {
  const database = await createBenchDatabase();
  defer('drop the benchmark database', () => database.drop());
  const db = createDb(database.url, 2);
  defer('close the database pool', () => db.destroy());

  const seeding = Date.now();
  await seedYearOfOrders(db, settings.orders, settings.stores);
  console.log(
    `seeded ${settings.orders.toLocaleString('en-US')} orders over a year, ${settings.stores} stores, in ${((Date.now() - seeding) / 1000).toFixed(1)} s`,
  );

  console.log('window  orders in window  rows  median ms  worst ms  Postgres CPU ms/query');
  const postgres = {
    backends: { commandLineIncludes: database.name },
    parallel: { commandLineIncludes: 'parallel worker' },
  };
  for (const window of Object.keys(HEALTH_WINDOWS) as HealthWindow[]) {
    const until = new Date();
    const since = new Date(until.getTime() - HEALTH_WINDOWS[window]);
    const timings: number[] = [];
    let rows = await storeMethodCounts(db, since, until);
    const before = sampleCpu(postgres);
    for (let i = 0; i < settings.runs; i++) {
      const started = process.hrtime.bigint();
      rows = await storeMethodCounts(db, since, until);
      timings.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    const used = cpuUsed(before, sampleCpu(postgres));
    const cpuMs = used ? ((used.get('backends') ?? 0) + (used.get('parallel') ?? 0)) / settings.runs : NaN;
    timings.sort((a, b) => a - b);
    const orders = rows.reduce((sum, row) => sum + row.orders, 0);
    console.log(
      `${window.padEnd(6)}  ${String(orders).padStart(16)}  ${String(rows.length).padStart(4)}  ${timings[Math.floor(timings.length / 2)]!.toFixed(1).padStart(9)}  ${timings.at(-1)!.toFixed(1).padStart(8)}  ${cpuMs.toFixed(1).padStart(21)}`,
    );
  }
});
