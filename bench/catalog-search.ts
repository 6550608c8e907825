import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createDb, WORD_SIMILARITY_THRESHOLD } from '../src/db/knex';
import { rankedPageQuery } from '../src/repositories/product-search-repository';
import { createBenchDatabase } from './support/database';
import { createHttpClient } from './support/http-client';
import { intOption } from './support/options';
import { freePort, startChild, waitForHttp } from './support/processes';
import { runBenchmark } from './support/run';
import { percentile } from './support/stats';

/**
 * `npm run bench:catalog-search`: p95 of `GET /api/v1/products?q=…` (the service as a child process, over HTTP) on a
 * catalog of --products (100,000) across 50 stores, for a mix of queries: whole words, words with a typo, SKU
 * fragments, two-word names and misses. Then the same SQL the service sends, bare, through pgbench at the same
 * concurrency, and the ratio of the two p95s: what the service adds over the query itself.
 *
 * Settings (flag or BENCH_* env): --products (100000), --concurrency (4), --duration (s, 10 per side), --warmup (s, 2).
 */
const settings = {
  products: intOption('products', 100_000),
  concurrency: intOption('concurrency', 4),
  durationS: intOption('duration', 10),
  warmupS: intOption('warmup', 2),
};
const execFileAsync = promisify(execFile);

const ADJECTIVES = [
  'Lightweight',
  'Waterproof',
  'Insulated',
  'Compact',
  'Rugged',
  'Classic',
  'Organic',
  'Foldable',
  'Vintage',
  'Thermal',
  'Reflective',
  'Modular',
];
const NOUNS = [
  'tent',
  'backpack',
  'lantern',
  'sleeping bag',
  'jacket',
  'mug',
  'stove',
  'hammock',
  'headlamp',
  'trekking pole',
  'water filter',
  'blanket',
  'kettle',
  'compass',
  'gloves',
  'boots',
  'rain cover',
  'tarp',
  'camp chair',
  'cooler',
  'dry bag',
  'fleece',
  'beanie',
  'socks',
  'gaiters',
  'bivy',
  'sleeping pad',
  'pillow',
  'cookset',
  'spork',
  'knife',
  'multitool',
  'first aid kit',
  'whistle',
  'carabiner',
  'rope',
  'harness',
  'helmet',
  'chalk bag',
  'map case',
  'sunglasses',
  'sun hat',
  'trail shoes',
  'sandals',
  'poncho',
  'shorts',
  'trousers',
  'base layer',
];
const MATERIALS = ['nylon', 'cotton', 'wool', 'titanium', 'aluminium', 'canvas', 'leather', 'bamboo'];
/** What shoppers type: words, words with a typo, SKU fragments, two words, and things nobody sells. */
const QUERIES = [
  'tent',
  'lantern',
  'backpak',
  'sleping bag',
  'hamock',
  'headlamp',
  'titanium mug',
  'wool gloves',
  'kettel',
  'S07-0001',
  '0042',
  'ST12',
  'compass',
  'trekking',
  'insulated jacket',
  'zzyzx',
  'waterproof boots',
  'filtre',
];

runBenchmark(async (defer) => {
  const database = await createBenchDatabase();
  defer(`drop database ${database.name}`, () => database.drop());
  const db = createDb(database.url, 2);
  defer('close the bench connection', () => db.destroy());
  await seed(db, settings.products);

  const port = await freePort();
  const api = startChild('api', 'src/server.ts', {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: database.url,
    STRIPE_SECRET_KEY: 'sk_test_bench',
    STRIPE_API_URL: 'http://127.0.0.1:9',
    JWT_SECRET: 'bench-catalog-search-secret',
    CATALOG_SYNC_INTERVAL_MINUTES: '0',
    LOG_LEVEL: 'warn',
  });
  defer('stop the API', () => api.stop(10_000));
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHttp(api, `${baseUrl}/healthz`);
  const http = createHttpClient(baseUrl, settings.concurrency);
  defer('close the HTTP client', async () => http.close());

  console.log(
    `catalog search: ${settings.products} products in 50 stores, ${QUERIES.length} queries, ${settings.concurrency} clients, ${settings.durationS} s per side after ${settings.warmupS} s warm-up; load average ${loadavg()[0]!.toFixed(1)}`,
  );
  const matches = await Promise.all(
    QUERIES.map(async (q) => [
      q,
      (await http.send('GET', `/api/v1/products?q=${encodeURIComponent(q)}`)).body.meta.totalProducts,
    ]),
  );
  console.log(`matches per query: ${matches.map(([q, n]) => `${q} ${n}`).join(', ')}`);

  const searchOnce = async (i: number) => {
    const res = await http.send(
      'GET',
      `/api/v1/products?q=${encodeURIComponent(QUERIES[i % QUERIES.length]!)}&limit=20`,
    );
    if (res.status !== 200) throw new Error(`search answered ${res.status}: ${JSON.stringify(res.body)}`);
  };
  await runFor(settings.warmupS * 1000, settings.concurrency, searchOnce);
  const service = (await runFor(settings.durationS * 1000, settings.concurrency, searchOnce)).sort((a, b) => a - b);

  const bare = await pgbenchLatencies(database.url, db, settings);
  const report = (label: string, samples: number[]) =>
    console.log(
      `${label.padEnd(34)} ${String(samples.length).padStart(6)} searches  p50 ${ms(percentile(samples, 50))}  p95 ${ms(percentile(samples, 95))}  p99 ${ms(percentile(samples, 99))}  (${(samples.length / settings.durationS).toFixed(0)}/s)`,
    );
  report('service (HTTP, GET /products?q=)', service);
  report('bare SQL (pgbench, same query)', bare);
  console.log(`p95 ratio service / bare query: ${(percentile(service, 95) / percentile(bare, 95)).toFixed(2)}`);
});

const ms = (value: number) => `${value.toFixed(2)} ms`;

/** `concurrency` loops calling `work` back to back for `durationMs`; each call's latency in ms. */
async function runFor(durationMs: number, concurrency: number, work: (i: number) => Promise<void>): Promise<number[]> {
  const samples: number[] = [];
  const end = Date.now() + durationMs;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        const started = process.hrtime.bigint();
        await work(next++);
        samples.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
    }),
  );
  return samples;
}

/** Products named like a real outdoor catalog (adjective, noun, material), generated in SQL, then analyzed. */
async function seed(db: ReturnType<typeof createDb>, count: number): Promise<void> {
  const started = Date.now();
  await db.raw(
    `INSERT INTO stores (slug, name, placement_method) SELECT 'store-' || n, 'Store ' || n, 'manual' FROM generate_series(1, 50) n`,
  );
  await db.raw(
    `INSERT INTO products (store_id, sku, name, price_cents, available)
     SELECT s.id,
            'S' || lpad((n % 50)::text, 2, '0') || '-' || lpad(n::text, 6, '0'),
            (?::text[])[1 + (n * 7) % ?] || ' ' || (?::text[])[1 + (n * 13) % ?] || ' (' || (?::text[])[1 + (n * 3) % ?] || ') ' || n,
            500 + (n * 37) % 20000,
            n % 11 <> 0
     FROM generate_series(1, ?) n JOIN stores s ON s.slug = 'store-' || (1 + n % 50)`,
    [ADJECTIVES, ADJECTIVES.length, NOUNS, NOUNS.length, MATERIALS, MATERIALS.length, count],
  );
  await db.raw('ANALYZE products');
  await db.raw('ANALYZE stores');
  console.log(`seeded ${count} products in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** The service's own SQL for each query (one pgbench script per query, equally weighted), timed per transaction. */
async function pgbenchLatencies(
  url: string,
  db: ReturnType<typeof createDb>,
  options: typeof settings,
): Promise<number[]> {
  const dir = await mkdtemp(join(tmpdir(), 'mor-catalog-bench-'));
  try {
    const scripts = [];
    for (const [index, q] of QUERIES.entries()) {
      const file = join(dir, `q${index}.sql`);
      await writeFile(file, `${rankedPageQuery(db, { q }, { limit: 20, offset: 0 }).toString()};\n`);
      scripts.push('-f', file);
    }
    const target = new URL(url);
    const args = [
      '-n',
      '-h',
      target.hostname,
      '-p',
      target.port || '5432',
      '-U',
      target.username || 'postgres',
      '-c',
      String(options.concurrency),
      '-j',
      String(Math.min(2, options.concurrency)),
      '-M',
      'prepared',
      '--log',
      `--log-prefix=${join(dir, 'log')}`,
      ...scripts,
      target.pathname.slice(1),
    ];
    // The same threshold the service sets on its connections (src/db/knex.ts).
    const env = { ...process.env, PGOPTIONS: `-c pg_trgm.word_similarity_threshold=${WORD_SIMILARITY_THRESHOLD}` };
    await execFileAsync(
      'pgbench',
      [...args.slice(0, -1), '-T', String(options.warmupS || 1), args.at(-1)!].filter(
        (arg) => !arg.startsWith('--log'),
      ),
      { env },
    );
    for (const file of await readdir(dir)) if (file.startsWith('log')) await rm(join(dir, file));
    await execFileAsync('pgbench', [...args.slice(0, -1), '-T', String(options.durationS), args.at(-1)!], {
      env,
      maxBuffer: 10_000_000,
    });
    const latencies: number[] = [];
    for (const file of (await readdir(dir)).filter((name) => name.startsWith('log'))) {
      for (const line of (await readFile(join(dir, file), 'utf8')).split('\n')) {
        const fields = line.split(' ');
        if (fields.length >= 3) latencies.push(Number(fields[2]) / 1000);
      }
    }
    return latencies.sort((a, b) => a - b);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
