import { availableParallelism } from 'node:os';
import { startBenchService } from './support/bench-service';
import { signToken, STORES } from './support/checkout-shoppers';
import { cpuCeiling, cpuUsed, describeCpu, sampleCpu, type CpuGroups } from './support/cpu';
import type { HttpClient } from './support/http-client';
import { intOption, option } from './support/options';
import { preparePgbenchTargets, runPgbench } from './support/place-pgbench';
import { measuredProfile, PROFILE_NODE_ARGS, profileRequested } from './support/profile';
import { runBenchmark, teardownScope, type Defer } from './support/run';
import { BENCH_ADDRESS } from './support/seeded-order';
import { ms, perSecond, printTable, summarize } from './support/stats';

/**
 * `npm run bench:place`: `place` alone, against what the database can do for the same checkouts.
 *  1. Prepares N payable 3-store checkout sessions through the API (3 cart items, session, shipping, payment; one
 *     shopper each), plus a warm-up set placed first and not counted.
 *  2. Fires `place` at them from --concurrency shoppers (32) and times each.
 *  3. Runs pgbench on the same database at the same concurrency with the least SQL a 3-store checkout must write
 *     (bench/support/place-pgbench.ts): session move, ledger row, 3 orders with items (history rows by trigger),
 *     cart removal, idempotency record, as one statement per checkout.
 * Each of --runs (2) runs does all three on a fresh service and database. The last line is place's rate as a share
 * of pgbench's in each run, with the spread, and place's p99. Target (issue #9): ≥ 40 %, p99 place < 150 ms.
 *
 * Settings (flag or BENCH_* env): --runs (2), --sessions (N, 800), --warmup-sessions (96), --concurrency (32),
 * --api-node-args, --profile (where the API's CPU goes, and Postgres' by statement, during the places).
 */
const settings = {
  runs: intOption('runs', 2),
  sessions: intOption('sessions', 800),
  warmupSessions: intOption('warmup-sessions', 96),
  concurrency: intOption('concurrency', 32),
  /** Extra node flags for the service, e.g. BENCH_API_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof". */
  apiNodeArgs: option('api-node-args', '').split(/\s+/).filter(Boolean),
  profile: profileRequested(),
};

interface Payable {
  path: string;
  token: string;
}

interface PlaceRun {
  ratio: number;
  p99: number;
}

runBenchmark(async (defer) => {
  const runs: PlaceRun[] = [];
  for (let run = 1; run <= settings.runs; run++) {
    console.log(`\n=== run ${run}/${settings.runs} ===`);
    const scope = teardownScope(defer);
    runs.push(await placeAgainstPgbench(scope.defer));
    await scope.close();
  }
  const ratios = runs.map((run) => `${run.ratio.toFixed(1)} %`).join(', ');
  const p99s = runs.map((run) => `${run.p99.toFixed(0)} ms`).join(', ');
  const values = runs.map((run) => run.ratio);
  const spread =
    values.length > 1 ? `spread ${(Math.max(...values) - Math.min(...values)).toFixed(1)} points` : '1 run';
  const meets = runs.every((run) => run.ratio >= 40 && run.p99 < 150);
  console.log(
    `\nplace ÷ pgbench: ${ratios} (${spread}; target ≥ 40 %), p99 place ${p99s} (target < 150 ms)` +
      (meets ? '' : ' — target not met'),
  );
});

/** One run: prepare, place, then pgbench on the same database; place's rate as a share of pgbench's. */
async function placeAgainstPgbench(defer: Defer): Promise<PlaceRun> {
  const service = await startBenchService(defer, {
    sockets: settings.concurrency + 4,
    nodeArgs: [...settings.apiNodeArgs, ...(settings.profile ? PROFILE_NODE_ARGS : [])],
  });
  const { database, api, stripe, http, jwtSecret } = service;
  const total = settings.sessions + settings.warmupSessions;
  const started = performance.now();
  const payable = await inParallel(total, settings.concurrency, (index) => preparePayable(http, jwtSecret, index));
  console.log(`prepared ${total} payable 3-store sessions in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  await inParallel(settings.warmupSessions, settings.concurrency, (index) => place(http, payable[index]!));
  const cpuGroups: CpuGroups = {
    api: { pid: api.process.pid!, descendants: true },
    postgres: { commandLineIncludes: ` ${database.name} ` },
    'stripe-sandbox': { pid: stripe.process.pid!, descendants: true },
    'load generator': { pid: process.pid, descendants: false },
  };
  const measured = payable.slice(settings.warmupSessions);
  const profile = await measuredProfile(settings.profile, {
    label: 'the API',
    unit: 'place',
    pid: () => api.process.pid!,
    database,
  });
  profile?.start();
  const before = sampleCpu(cpuGroups);
  const t0 = performance.now();
  const latencies = await inParallel(measured.length, settings.concurrency, (index) => place(http, measured[index]!));
  const elapsedMs = performance.now() - t0;
  const cpu = cpuUsed(before, sampleCpu(cpuGroups));
  await profile?.finish(cpu?.get('api'), measured.length);
  const placeRate = perSecond(measured.length, elapsedMs);
  const latency = summarize(latencies);

  console.log(
    `\nplace: ${measured.length} checkouts by ${settings.concurrency} shoppers in ${(elapsedMs / 1000).toFixed(1)} s → ${placeRate.toFixed(1)} places/s`,
  );
  printTable([
    ['', 'p50', 'p95', 'p99', 'max'],
    ['place', ms(latency.p50), ms(latency.p95), ms(latency.p99), ms(latency.max)],
  ]);
  console.log(`CPU, % of one core and per place: ${describeCpu(cpu, elapsedMs, measured.length)}`);
  console.log(`CPU ceiling: ${cpuCeiling(cpu, measured.length, availableParallelism()).replace('unit', 'place')}`);

  const targets = await preparePgbenchTargets(database.url, settings.concurrency, settings.sessions);
  const bare = await runPgbench(database, targets, settings.concurrency);
  console.log(
    `\npgbench, the least SQL a 3-store checkout writes (1 statement, ${settings.concurrency} clients): ${bare.rate.toFixed(1)} checkouts/s, latency average ${bare.latencyMs.toFixed(1)} ms`,
  );
  console.log(`CPU, % of one core and per checkout: ${describeCpu(bare.cpu, bare.elapsedMs, bare.transactions)}`);

  const ratio = (100 * placeRate) / bare.rate;
  console.log(`\nplace ${placeRate.toFixed(1)}/s vs pgbench ${bare.rate.toFixed(1)}/s: ${ratio.toFixed(1)} %`);
  return { ratio, p99: latency.p99 };
}

/** A pending session of three stores with address and card, for its own shopper; nothing placed yet. */
async function preparePayable(http: HttpClient, jwtSecret: string, index: number): Promise<Payable> {
  const token = signToken(jwtSecret, `bench-place-${index}`, 'shopper');
  const headers = { authorization: `Bearer ${token}` };
  const send = async (method: string, path: string, body?: unknown) => {
    const response = await http.send(method, path, { headers, body });
    if (response.status >= 300)
      throw new Error(`prepare ${method} ${path}: HTTP ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as { data: { sessionId: string } };
  };
  for (let k = 0; k < 3; k++) {
    const store = STORES[(index + k) % STORES.length]!;
    await send('POST', '/api/v1/cart/items', {
      storeSlug: store.slug,
      sku: store.skus[(index + k) % 3]!.sku,
      quantity: 1 + (k % 2),
    });
  }
  const path = `/api/v1/checkout/sessions/${(await send('POST', '/api/v1/checkout/sessions')).data.sessionId}`;
  await send('PUT', `${path}/shipping`, BENCH_ADDRESS);
  await send('PUT', `${path}/payment`, { paymentMethodId: 'pm_card_visa' });
  return { path, token };
}

/** Places one session; its latency in milliseconds. Any answer but 2xx fails the benchmark. */
async function place(http: HttpClient, session: Payable): Promise<number> {
  const t0 = performance.now();
  const response = await http.send('POST', `${session.path}/place`, {
    headers: { authorization: `Bearer ${session.token}`, 'idempotency-key': `place-${session.path.split('/').pop()}` },
  });
  if (response.status >= 300)
    throw new Error(`place ${session.path}: HTTP ${response.status} ${JSON.stringify(response.body)}`);
  return performance.now() - t0;
}

/** Runs work(0 … count-1) with at most `concurrency` at a time; the results in index order. */
async function inParallel<T>(count: number, concurrency: number, work: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await work(index);
      }
    }),
  );
  return results;
}
