import { newJwtSecret, signToken, STORES } from './checkout-shoppers';
import { createBenchDatabase, type BenchDatabase } from './database';
import { createHttpClient, type HttpClient, type JsonResponse } from './http-client';
import { freePort, startChild, startStripeSandboxChild, waitForHttp, type Child } from './processes';
import { obliterateQueue, REDIS_URL, uniqueQueueName } from './queue';
import type { Defer } from './run';

/** The service as the checkout benchmarks run it: its own database and queue, the Stripe sandbox, one API child. */
export interface BenchService {
  database: BenchDatabase;
  api: Child;
  stripe: Child;
  http: HttpClient;
  jwtSecret: string;
}

export interface BenchServiceOptions {
  /** Node flags for the API process (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Extra environment for the API process (WEB_CONCURRENCY, DATABASE_POOL_MAX …). */
  env?: Record<string, string>;
  /** Sockets the load generator's keep-alive agent may open. */
  sockets: number;
}

/** Starts everything `bench:checkout` and `bench:place` measure, torn down by `defer`, with the 4 stores seeded. */
export async function startBenchService(defer: Defer, options: BenchServiceOptions): Promise<BenchService> {
  const jwtSecret = newJwtSecret();
  const database = await createBenchDatabase();
  defer(`drop database ${database.name}`, () => database.drop());
  const queueName = uniqueQueueName('checkout');
  defer(`obliterate queue ${queueName}`, () => obliterateQueue(queueName));

  const { child: stripe, url: stripeUrl } = await startStripeSandboxChild(defer);
  const apiPort = await freePort();
  const api = startChild(
    'api',
    'src/server.ts',
    {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(apiPort),
      DATABASE_URL: database.url,
      REDIS_URL,
      PLACEMENT_QUEUE_NAME: queueName,
      STRIPE_SECRET_KEY: 'sk_test_bench',
      STRIPE_API_URL: stripeUrl,
      JWT_SECRET: jwtSecret,
      // The shoppers of a benchmark place hundreds of times a minute each; a real shopper never does.
      RATE_LIMIT_SHOPPER_PAYMENTS: '0',
      RATE_LIMIT_ANONYMOUS: '0',
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    options.nodeArgs ?? [],
  );
  defer('stop the API', () => api.stop(10_000));
  const baseUrl = `http://127.0.0.1:${apiPort}`;
  await waitForHttp(api, `${baseUrl}/healthz`);

  const http = createHttpClient(baseUrl, options.sockets);
  defer('close the HTTP client', async () => http.close());
  await seedCatalog(http, jwtSecret);
  return { database, api, stripe, http, jwtSecret };
}

async function seedCatalog(http: HttpClient, jwtSecret: string): Promise<void> {
  const headers = { authorization: `Bearer ${signToken(jwtSecret, 'bench-admin', 'admin')}` };
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

export async function expect2xx(pending: Promise<JsonResponse>, what: string): Promise<JsonResponse> {
  const response = await pending;
  if (response.status >= 300) throw new Error(`${what}: HTTP ${response.status} ${JSON.stringify(response.body)}`);
  return response;
}
