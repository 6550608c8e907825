import { Agent, request } from 'node:http';
import { Worker, type Job } from 'bullmq';
import { loadConfig } from '../../src/config';
import { computeBackoffMs, defaultBackoffPolicy } from '../../src/queue/backoff';
import { methodQueueName } from '../../src/queue/placement-methods';
import { openFloorSql } from './floor-sql';
import { BENCH_ADDRESS, SEEDED_PRICE_CENTS, SEEDED_SKU } from './seeded-order';

/**
 * The floor worker of `npm run bench:placement-floor`: the least any implementation of an `api` placement has to do
 * per order on the mandated stack, so its CPU per order is a floor for src/worker.ts's. A BullMQ Worker on the
 * placement queue with the service's worker options (src/queue/bullmq-placement-worker.ts, src/config.ts defaults).
 * Its processor makes the service's 5 Postgres round trips (src/services/placement-service.ts: read the order,
 * → placing, record the attempt, → placed, settle the checkout), each trivial (FLOOR_SQL=none makes none), and the
 * api adapter's two requests to the retailer (quote, then create-order: same paths, headers and bodies, keep-alive
 * agent). No store gate or breaker, no validation of the retailer's answers beyond their status, no logging below
 * warnings. FLOOR_WORK=none leaves only BullMQ: the processor returns at once.
 *
 * Environment: the service's REDIS_URL, PLACEMENT_QUEUE_NAME, WORKER_CONCURRENCY, WORKER_LOCK_MS,
 * WORKER_STALLED_CHECK_MS, DATABASE_POOL_MAX (same defaults); FLOOR_WORK (full | none), FLOOR_SQL (trivial | none),
 * DATABASE_URL when SQL runs (its floor_rows table made by the caller), FLOOR_RETAILERS (JSON: store id →
 * { baseUrl, apiKey }, the stores' placement configs, which the service reads with the order).
 */

interface PlacementJobData {
  orderNumber: string;
  storeId: string;
}
interface Retailer {
  host: string;
  port: number;
  pathPrefix: string;
  authorization: string;
}

const config = loadConfig();
const work = process.env.FLOOR_WORK ?? 'full';
const useSql = work === 'full' && (process.env.FLOOR_SQL ?? 'trivial') !== 'none';
if (!config.REDIS_URL) throw new Error('floor worker: REDIS_URL is required');
if (useSql && !config.DATABASE_URL) throw new Error('floor worker: DATABASE_URL is required unless FLOOR_SQL=none');

const database = openFloorSql(useSql ? config.DATABASE_URL! : null, config.DATABASE_POOL_MAX, 'floor worker');
const sql = database.run;

const retailers = new Map<string, Retailer>(
  Object.entries(
    JSON.parse(process.env.FLOOR_RETAILERS ?? '{}') as Record<string, { baseUrl: string; apiKey: string }>,
  ).map(([storeId, { baseUrl, apiKey }]) => {
    const url = new URL(baseUrl);
    const retailer = {
      host: url.hostname,
      port: Number(url.port || 80),
      pathPrefix: url.pathname.replace(/\/+$/, ''),
      authorization: `Bearer ${apiKey}`,
    };
    return [storeId, retailer];
  }),
);

// What the api adapter sends for a seeded order: its items (size and color empty, so left out) and address.
const ITEMS = [{ sku: SEEDED_SKU, quantity: 1, unitPriceCents: SEEDED_PRICE_CENTS }];
// The api adapter's default timeout; any implementation needs one.
const TIMEOUT_MS = 10_000;
const agent = new Agent({ keepAlive: true });

/** One POST to the retailer over a keep-alive connection; the answer's text if it is 2xx. */
function post(retailer: Retailer, path: string, body: string, idempotencyKey?: string): Promise<string> {
  const headers: Record<string, string> = {
    authorization: retailer.authorization,
    accept: 'application/json',
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
  };
  if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: retailer.host,
        port: retailer.port,
        path: `${retailer.pathPrefix}${path}`,
        method: 'POST',
        headers,
        agent,
        timeout: TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(text);
          else reject(new Error(`retailer ${path} answered ${status}: ${text}`));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`retailer ${path}: no answer within ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function place(job: Job<PlacementJobData>): Promise<void> {
  if (work === 'none') return;
  const { orderNumber, storeId } = job.data;
  const retailer = retailers.get(storeId);
  if (!retailer) throw new Error(`floor worker: no retailer for store ${storeId}`);
  await sql('read', [orderNumber]);
  await sql('write', [orderNumber, 1]);
  const quoteBody = JSON.stringify({ items: ITEMS, shippingAddress: BENCH_ADDRESS });
  const quote = JSON.parse(await post(retailer, '/quotes', quoteBody)) as { totalCents: number };
  const orderBody = JSON.stringify({
    externalReference: orderNumber,
    items: ITEMS,
    shippingAddress: BENCH_ADDRESS,
    expectedTotalCents: quote.totalCents,
  });
  const created = JSON.parse(await post(retailer, '/orders', orderBody, orderNumber)) as {
    orderNumber: string;
    totalCents: number;
  };
  await sql('write', [`${orderNumber}:attempt`, created.totalCents]);
  await sql('write', [orderNumber, 2]);
  await sql('write', [`${orderNumber}:checkout`, 1]);
}

const worker = new Worker<PlacementJobData>(methodQueueName(config.PLACEMENT_QUEUE_NAME, 'api'), place, {
  connection: { url: config.REDIS_URL },
  prefix: 'bull',
  concurrency: config.WORKER_CONCURRENCY,
  lockDuration: config.WORKER_LOCK_MS,
  stalledInterval: config.WORKER_STALLED_CHECK_MS,
  maxStalledCount: 2,
  // Only asked after a failure, which the benchmark does not expect; kept so a failure retries as in the service.
  settings: {
    backoffStrategy: (attemptsMade, _type, err) => computeBackoffMs(attemptsMade, defaultBackoffPolicy, err),
  },
});
worker.on('error', (err) => console.warn('floor worker: worker error', err));
worker.on('failed', (job, err) => console.warn(`floor worker: job ${job?.id} failed`, err));

async function stop(): Promise<void> {
  await worker.close();
  await database.end();
  agent.destroy();
  process.exit(0);
}
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
