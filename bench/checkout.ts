import knexFactory from 'knex';
import { startBenchService } from './support/bench-service';
import { reportRun } from './support/checkout-report';
import { runShoppers, shopperSettings } from './support/checkout-shoppers';
import type { CpuGroups } from './support/cpu';
import { option } from './support/options';
import { measuredProfile, PROFILE_NODE_ARGS, profileRequested } from './support/profile';
import { runBenchmark } from './support/run';

/**
 * `npm run bench:checkout`: simulated shoppers against the real service (src/server.ts, as a child process) with
 * Postgres, Redis and the Stripe sandbox on loopback. Each shopper loops: two cart items from two stores → session
 * → shipping → payment → place. Placement is not measured: orders go onto a BullMQ queue that no worker reads.
 *
 * Settings (flag or BENCH_* env): --concurrency (shoppers, 16), --duration (s, 20), --max-checkouts (5000),
 * --warmup (s, 15; not counted), --web-concurrency (API processes, WEB_CONCURRENCY), --db-pool (DATABASE_POOL_MAX),
 * --api-node-args (node flags for the service, e.g. --cpu-prof), --profile (where the API's CPU goes, by owner, and
 * Postgres' by statement; bench/support/profile.ts).
 */
const settings = {
  ...shopperSettings(),
  webConcurrency: option('web-concurrency', ''),
  dbPool: option('db-pool', ''),
  /** Extra node flags for the service, e.g. BENCH_API_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof". */
  apiNodeArgs: option('api-node-args', '').split(/\s+/).filter(Boolean),
  profile: profileRequested(),
};

runBenchmark(async (defer) => {
  const { database, api, stripe, http, jwtSecret } = await startBenchService(defer, {
    nodeArgs: [...settings.apiNodeArgs, ...(settings.profile ? PROFILE_NODE_ARGS : [])],
    env: {
      ...(settings.webConcurrency ? { WEB_CONCURRENCY: settings.webConcurrency } : {}),
      ...(settings.dbPool ? { DATABASE_POOL_MAX: settings.dbPool } : {}),
    },
    sockets: settings.concurrency + 4,
  });

  console.log(
    `checkout benchmark: ${settings.concurrency} shoppers, ${settings.warmupS} s warm-up + up to ${settings.durationS} s or ` +
      `${settings.maxCheckouts} checkouts; API processes: ${settings.webConcurrency || 'WEB_CONCURRENCY unset'}, ` +
      `DB pool per process: ${settings.dbPool || 'service default'}`,
  );
  const cpuGroups: CpuGroups = {
    api: { pid: api.process.pid!, descendants: true },
    // The backends serving this run's database (Postgres' shared WAL writer and checkpointer are not included).
    postgres: { commandLineIncludes: ` ${database.name} ` },
    'stripe-sandbox': { pid: stripe.process.pid!, descendants: true },
    'load generator': { pid: process.pid, descendants: false },
  };
  const profile = await measuredProfile(settings.profile, {
    label: 'the API',
    unit: 'checkout',
    pid: () => api.process.pid!,
    database,
  });
  const result = await runShoppers(http, { settings, cpuGroups, jwtSecret, onMeasureStart: () => profile?.start() });
  reportRun(result);
  await profile?.finish(result.cpu?.get('api'), result.completed);
  await checkLedger(database.url, result.completedTotal);
  if (result.completed === 0) throw new Error('no checkout completed');
});

/** Every placed checkout has exactly one succeeded charge, for its total, and one order per store of its snapshot. */
async function checkLedger(url: string, expectedPlaced: number): Promise<void> {
  const db = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    const { rows } = await db.raw(`
      SELECT
        (SELECT count(*) FROM checkout_sessions WHERE status = 'placed')::int AS placed,
        (SELECT count(*) FROM orders)::int AS orders,
        (SELECT coalesce(sum(jsonb_array_length(cart_snapshot->'stores')), 0) FROM checkout_sessions
          WHERE status = 'placed')::int AS stores,
        (SELECT count(*) FROM payment_transactions WHERE type = 'charge' AND status = 'succeeded')::int AS charges,
        (SELECT count(*) FROM checkout_sessions s WHERE s.status = 'placed' AND s.total_cents <>
          (SELECT coalesce(sum(t.amount_cents), 0) FROM payment_transactions t
            WHERE t.checkout_session_id = s.id AND t.type = 'charge' AND t.status = 'succeeded'))::int AS unbalanced`);
    const { placed, orders, stores, charges, unbalanced } = rows[0];
    console.log(`\nledger: ${placed} placed sessions, ${orders} orders, ${charges} charges, ${unbalanced} unbalanced`);
    if (placed !== expectedPlaced || orders !== stores || charges !== placed || unbalanced !== 0) {
      throw new Error(
        `ledger check failed: expected ${expectedPlaced} placed sessions, one order per store and one charge each`,
      );
    }
  } finally {
    await db.destroy();
  }
}
