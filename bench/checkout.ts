import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import jwt from 'jsonwebtoken';
import knexFactory from 'knex';
import { cpuCeiling, cpuUsed, describeCpu, sampleCpu, type CpuGroups, type CpuSample } from './support/cpu';
import { createBenchDatabase } from './support/database';
import { createHttpClient, type HttpClient, type JsonResponse } from './support/http-client';
import { intOption, option } from './support/options';
import { freePort, startChild, waitForHttp } from './support/processes';
import { obliterateQueue, REDIS_URL, uniqueQueueName } from './support/queue';
import { runBenchmark } from './support/run';
import { ms, perSecond, printTable, summarize } from './support/stats';

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
  concurrency: intOption('concurrency', 16),
  durationS: intOption('duration', 20),
  maxCheckouts: intOption('max-checkouts', 5000),
  warmupS: intOption('warmup', 3),
  webConcurrency: option('web-concurrency', ''),
  dbPool: option('db-pool', ''),
  /** Extra node flags for the service, e.g. BENCH_API_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof". */
  apiNodeArgs: option('api-node-args', '').split(/\s+/).filter(Boolean),
};

const JWT_SECRET = `bench-${randomBytes(12).toString('hex')}`;
const STORES = ['north', 'south', 'east', 'west'].map((name) => ({
  slug: `bench-${name}`,
  name: `Bench ${name}`,
  skus: ['ONE', 'TWO', 'THREE'].map((sku, i) => ({ sku: `${name.toUpperCase()}-${sku}`, priceCents: 1500 + 700 * i })),
}));
const ADDRESS = {
  name: 'Ada Lovelace',
  address1: '1 Market St',
  city: 'San Francisco',
  state: 'CA',
  zip: '94105',
  country: 'US',
  phone: '+14155550100',
};

type Step = 'cart-add' | 'session' | 'shipping' | 'payment' | 'place';
const STEPS: Step[] = ['cart-add', 'session', 'shipping', 'payment', 'place'];

runBenchmark(async (defer) => {
  const database = await createBenchDatabase();
  defer(`drop database ${database.name}`, () => database.drop());
  const queueName = uniqueQueueName('checkout');
  defer(`obliterate queue ${queueName}`, () => obliterateQueue(queueName));

  const stripePort = await freePort();
  const stripe = startChild('stripe-sandbox', 'src/sandbox/stripe/cli.ts', { STRIPE_SANDBOX_PORT: String(stripePort), LOG_LEVEL: 'warn' });
  defer('stop the Stripe sandbox', () => stripe.stop());
  const stripeUrl = `http://127.0.0.1:${stripePort}`;
  await waitForHttp(stripe, `${stripeUrl}/_sandbox/stats`);

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
  const result = await runShoppers(http, cpuGroups);
  report(result);
  await checkLedger(database.url, result.completedTotal);
  if (result.completed === 0) throw new Error('no checkout completed');
});

async function seedCatalog(http: HttpClient): Promise<void> {
  const headers = { authorization: `Bearer ${token('bench-admin', 'admin')}` };
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
          body: { storeSlug: store.slug, sku: product.sku, name: `Product ${product.sku}`, priceCents: product.priceCents },
        }),
        `create product ${product.sku}`,
      );
    }
  }
}

interface RunResult {
  /** Checkouts started after the warm-up that were placed. */
  completed: number;
  /** Every checkout placed, warm-up included (what the database should hold). */
  completedTotal: number;
  requests: number;
  elapsedMs: number;
  latencies: Record<Step, number[]>;
  errors: Map<string, number>;
  /** CPU milliseconds each process group used during the measured window. */
  cpu: Map<string, number> | null;
}

async function runShoppers(http: HttpClient, cpuGroups: CpuGroups): Promise<RunResult> {
  const latencies = Object.fromEntries(STEPS.map((step) => [step, [] as number[]])) as Record<Step, number[]>;
  const errors = new Map<string, number>();
  const start = performance.now();
  const measureFrom = start + settings.warmupS * 1000;
  const stopAt = measureFrom + settings.durationS * 1000;
  let started = 0;
  let completed = 0;
  let completedTotal = 0;
  let requests = 0;
  let cpuBefore: CpuSample | null = null;
  const warmupTimer = setTimeout(() => (cpuBefore = sampleCpu(cpuGroups)), settings.warmupS * 1000);

  async function shopper(index: number): Promise<void> {
    const headers = { authorization: `Bearer ${token(`bench-shopper-${index}`, 'shopper')}` };
    for (let round = 0; ; round++) {
      const now = performance.now();
      const measured = now >= measureFrom;
      if (now >= stopAt || (measured && started >= settings.maxCheckouts)) return;
      if (measured) started += 1;
      const call = async (step: Step, method: string, path: string, body?: unknown, extra?: Record<string, string>) => {
        const t0 = performance.now();
        const response = await http.send(method, path, { headers: { ...headers, ...extra }, body });
        if (measured) {
          requests += 1;
          latencies[step].push(performance.now() - t0);
        }
        if (response.status >= 300) {
          const code = (response.body as { error?: { code?: string } })?.error?.code ?? '';
          const key = `${step} ${response.status} ${code}`.trim();
          errors.set(key, (errors.get(key) ?? 0) + 1);
          return null;
        }
        return response;
      };
      const [first, second] = [STORES[(index + round) % STORES.length]!, STORES[(index + round + 1) % STORES.length]!];
      const added =
        (await call('cart-add', 'POST', '/api/v1/cart/items', { storeSlug: first.slug, sku: first.skus[round % 3]!.sku, quantity: 1 })) &&
        (await call('cart-add', 'POST', '/api/v1/cart/items', { storeSlug: second.slug, sku: second.skus[index % 3]!.sku, quantity: 2 }));
      if (!added) continue;
      const session = await call('session', 'POST', '/api/v1/checkout/sessions');
      if (!session) continue;
      const path = `/api/v1/checkout/sessions/${(session.body as { data: { sessionId: string } }).data.sessionId}`;
      if (!(await call('shipping', 'PUT', `${path}/shipping`, ADDRESS))) continue;
      if (!(await call('payment', 'PUT', `${path}/payment`, { paymentMethodId: 'pm_card_visa' }))) continue;
      const placed = await call('place', 'POST', `${path}/place`, undefined, { 'idempotency-key': `place-${path.split('/').pop()}` });
      if (!placed) continue;
      completedTotal += 1;
      if (measured) completed += 1;
    }
  }

  await Promise.all(Array.from({ length: settings.concurrency }, (_, i) => shopper(i)));
  clearTimeout(warmupTimer);
  const elapsedMs = performance.now() - measureFrom;
  const cpu = cpuUsed(cpuBefore, sampleCpu(cpuGroups));
  return { completed, completedTotal, requests, elapsedMs, latencies, errors, cpu };
}

function report(result: RunResult): void {
  const seconds = result.elapsedMs / 1000;
  console.log(`\nmeasured window: ${seconds.toFixed(1)} s (after ${settings.warmupS} s warm-up)`);
  console.log(`completed checkouts: ${result.completed}  →  ${perSecond(result.completed, result.elapsedMs).toFixed(1)} checkouts/s`);
  console.log(`requests:            ${result.requests}  →  ${perSecond(result.requests, result.elapsedMs).toFixed(1)} requests/s`);
  console.log(`CPU, % of one core and per checkout: ${describeCpu(result.cpu, result.elapsedMs, result.completed)}`);
  console.log(`CPU ceiling: ${cpuCeiling(result.cpu, result.completed, availableParallelism()).replace('unit', 'checkout')}\n`);
  const rows: (string | number)[][] = [['step', 'requests', 'p50', 'p95', 'p99', 'max']];
  for (const step of STEPS) {
    const s = summarize(result.latencies[step]);
    rows.push([step, s.count, ms(s.p50), ms(s.p95), ms(s.p99), ms(s.max)]);
  }
  printTable(rows);
  console.log(result.errors.size === 0 ? '\nerrors: none' : '\nerrors (step status code: count):');
  for (const [key, count] of [...result.errors].sort()) console.log(`  ${key}: ${count}`);
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
      throw new Error(`ledger check failed: expected ${expectedPlaced} placed sessions, one order per store and one charge each`);
    }
  } finally {
    await db.destroy();
  }
}

function token(userId: string, role: 'shopper' | 'admin'): string {
  return jwt.sign({ sub: userId, role }, JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' });
}

async function expect2xx(pending: Promise<JsonResponse>, what: string): Promise<JsonResponse> {
  const response = await pending;
  if (response.status >= 300) throw new Error(`${what}: HTTP ${response.status} ${JSON.stringify(response.body)}`);
  return response;
}
