import knexFactory from 'knex';
import { reportRun } from './support/checkout-report';
import { newJwtSecret, runShoppers, shopperSettings, signToken, STORES } from './support/checkout-shoppers';
import type { CpuGroups } from './support/cpu';
import { createBenchDatabase } from './support/database';
import { createHttpClient, type HttpClient, type JsonResponse } from './support/http-client';
import { option } from './support/options';
import { freePort, startChild, startStripeSandboxChild, waitForHttp } from './support/processes';
import { obliterateQueue, REDIS_URL, uniqueQueueName } from './support/queue';
import { runBenchmark } from './support/run';

/**
 * `npm run bench:checkout`: simulated shoppers against the real service (src/server.ts, as a child process) with
 * Postgres, Redis and the Stripe sandbox on loopback. Each shopper loops: two cart items from two stores → session
 * → shipping → payment → place. Placement is not measured: orders go onto a BullMQ queue that no worker reads.
 *
 * Settings (flag or BENCH_* env): --concurrency (shoppers, 16), --duration (s, 20), --max-checkouts (5000),
 * --warmup (s, 3; not counted), --web-concurrency (API processes, WEB_CONCURRENCY), --db-pool (DATABASE_POOL_MAX),
 * --api-node-args (node flags for the service, e.g. --cpu-prof).
 */
const settings = {
  ...shopperSettings(),
  webConcurrency: option('web-concurrency', ''),
  dbPool: option('db-pool', ''),
  /** Extra node flags for the service, e.g. BENCH_API_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof". */
  apiNodeArgs: option('api-node-args', '').split(/\s+/).filter(Boolean),
};

const JWT_SECRET = newJwtSecret();

runBenchmark(async (defer) => {
  const database = await createBenchDatabase();
  defer(`drop database ${database.name}`, () => database.drop());
  const queueName = uniqueQueueName('checkout');
  defer(`obliterate queue ${queueName}`, () => obliterateQueue(queueName));

  const { child: stripe, url: stripeUrl } = await startStripeSandboxChild(defer);

  const apiPort = await freePort();
  const apiEnv = {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(apiPort),
    DATABASE_URL: database.url,
    REDIS_URL,
    PLACEMENT_QUEUE_NAME: queueName,
    STRIPE_SECRET_KEY: 'sk_test_bench',
    STRIPE_API_URL: stripeUrl,
    JWT_SECRET,
    // The shoppers of a benchmark place hundreds of times a minute each; a real shopper never does.
    RATE_LIMIT_SHOPPER_PAYMENTS: '0',
    RATE_LIMIT_ANONYMOUS: '0',
    LOG_LEVEL: 'warn',
    ...(settings.webConcurrency ? { WEB_CONCURRENCY: settings.webConcurrency } : {}),
    ...(settings.dbPool ? { DATABASE_POOL_MAX: settings.dbPool } : {}),
  };
  const api = startChild('api', 'src/server.ts', apiEnv, settings.apiNodeArgs);
  defer('stop the API', () => api.stop(10_000));
  const baseUrl = `http://127.0.0.1:${apiPort}`;
  await waitForHttp(api, `${baseUrl}/healthz`);

  const http = createHttpClient(baseUrl, settings.concurrency + 4);
  defer('close the HTTP client', async () => http.close());
  await seedCatalog(http);

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
  const result = await runShoppers(http, { settings, cpuGroups, jwtSecret: JWT_SECRET });
  reportRun(result);
  await checkLedger(database.url, result.completedTotal);
  if (result.completed === 0) throw new Error('no checkout completed');
});

async function seedCatalog(http: HttpClient): Promise<void> {
  const headers = { authorization: `Bearer ${signToken(JWT_SECRET, 'bench-admin', 'admin')}` };
  for (const store of STORES) {
    await expect2xx(
      http.send('POST', '/api/v1/admin/stores', {
        headers,
        body: {
          slug: store.slug,
          name: store.name,
          placementMethod: 'api',
          // Never placed (no worker runs); a retailer simulator URL so the config is what a real store has.
          placementConfig: { baseUrl: `http://127.0.0.1:12112/retailers/${store.slug}`, apiKey: `${store.slug}-key` },
          shipping: { flatCents: 599, freeAboveCents: 10_000 },
        },
      }),
      `create store ${store.slug}`,
    );
    for (const product of store.skus) {
      await expect2xx(
        http.send('PUT', '/api/v1/admin/products', {
          headers,
          body: {
            storeSlug: store.slug,
            sku: product.sku,
            name: `Product ${product.sku}`,
            priceCents: product.priceCents,
          },
        }),
        `create product ${product.sku}`,
      );
    }
  }
}

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

async function expect2xx(pending: Promise<JsonResponse>, what: string): Promise<JsonResponse> {
  const response = await pending;
  if (response.status >= 300) throw new Error(`${what}: HTTP ${response.status} ${JSON.stringify(response.body)}`);
  return response;
}
