import Stripe from 'stripe';
import { createDb } from '../src/db/knex';
import { createStripeGateway } from '../src/payments/stripe-gateway';
import { createReconciliationService } from '../src/services/reconciliation-service';
import { buildServiceDeps } from '../src/services/service-deps';
import { cpuUsed, describeCpu, sampleCpu } from './support/cpu';
import { createBenchDatabase } from './support/database';
import { intOption } from './support/options';
import { startStripeSandboxChild } from './support/processes';
import { runBenchmark } from './support/run';
import { seedReconciliationDay } from './support/seed-reconciliation-day';

/**
 * `npm run bench:reconcile`: a day of N checkouts (two orders each, one in five refunded: half of those by the service,
 * half in Stripe's Dashboard) held both by the Stripe sandbox (a child process) and by a fresh database, then the
 * reconciliation of that day, timed R times. Every run must find no drift; seeding is not what is measured.
 *
 * Settings (flag or BENCH_* env): --checkouts (N, 10000), --runs (R, 3), --seed-concurrency (Stripe writes at once, 16).
 */
const settings = {
  checkouts: intOption('checkouts', 10_000),
  runs: intOption('runs', 3),
  seedConcurrency: intOption('seed-concurrency', 16),
};

runBenchmark(async (defer) => {
  const database = await createBenchDatabase();
  defer('drop the bench database', () => database.drop());
  const sandbox = await startStripeSandboxChild(defer);
  const db = createDb(database.url, 10);
  defer('close the database pool', () => db.destroy());
  const url = new URL(sandbox.url);
  const stripe = new Stripe('sk_test_bench_reconcile', {
    host: url.hostname,
    port: Number(url.port),
    protocol: 'http',
    maxNetworkRetries: 2,
  });

  const since = new Date();
  const seedStarted = Date.now();
  const seeded = await seedReconciliationDay(db, stripe, {
    checkouts: settings.checkouts,
    concurrency: settings.seedConcurrency,
  });
  const until = new Date(Date.now() + 1_000);
  console.log(
    `seeded ${seeded.checkouts} checkouts, ${seeded.orders} orders, ${seeded.refunds} refunds in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s`,
  );

  const reconciliation = createReconciliationService(
    buildServiceDeps({
      db,
      payments: createStripeGateway({ secretKey: 'sk_test_bench_reconcile', apiUrl: sandbox.url }),
    }),
  );
  const groups = {
    reconciler: { pid: process.pid, descendants: false },
    'stripe sandbox': { pid: sandbox.child.process.pid!, descendants: true },
    postgres: { commandLineIncludes: database.name },
  };
  for (let run = 1; run <= settings.runs; run++) {
    const before = sampleCpu(groups);
    const started = Date.now();
    const report = await reconciliation.reconcile({ since: new Date(since.getTime() - 1_000), until });
    const elapsed = Date.now() - started;
    const used = cpuUsed(before, sampleCpu(groups));
    if (report.stripe.paymentIntents !== seeded.checkouts || report.stripe.refunds !== seeded.refunds) {
      throw new Error(
        `listed ${report.stripe.paymentIntents} payments and ${report.stripe.refunds} refunds, expected ${seeded.checkouts} and ${seeded.refunds}`,
      );
    }
    if (report.driftCount !== 0)
      throw new Error(`a consistent day reported drift: ${JSON.stringify(report.drift.slice(0, 3))}`);
    console.log(
      `run ${run}: ${(elapsed / 1000).toFixed(2)} s for ${report.stripe.paymentIntents} PaymentIntents (${Math.ceil(report.stripe.paymentIntents / 100)} pages) ` +
        `and ${report.stripe.refunds} refunds against ${report.ledger.checkouts} checkouts; drift ${report.driftCount}`,
    );
    console.log(`  CPU ${describeCpu(used, elapsed, 1)}`);
  }
});
