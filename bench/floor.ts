import { Queue } from 'bullmq';
import { reportRun } from './support/checkout-report';
import { newJwtSecret, runShoppers, shopperSettings } from './support/checkout-shoppers';
import type { CpuGroups } from './support/cpu';
import { createBenchDatabase } from './support/database';
import { createHttpClient } from './support/http-client';
import { option } from './support/options';
import { measuredProfile, PROFILE_NODE_ARGS, profileRequested } from './support/profile';
import { freePort, startChild, startStripeSandboxChild, waitForHttp } from './support/processes';
import { obliterateQueue, REDIS_URL, uniqueQueueName } from './support/queue';
import { runBenchmark } from './support/run';

/**
 * `npm run bench:floor`: the shoppers of bench:checkout, the same Stripe sandbox, Postgres and Redis, against the
 * floor server (bench/support/floor-server.ts) instead of the service: the least any implementation of the six
 * requests does on the mandated stack. Its CPU per checkout is the floor under the service's, whatever we optimize.
 *
 * Settings (flag or BENCH_* env): those of bench:checkout's shoppers (--concurrency, --duration, --max-checkouts,
 * --warmup), --sql (trivial: the service's round trips, each trivial; none: no SQL at all), --db-pool (20),
 * --floor-node-args (node flags for the floor server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"), --profile (as
 * bench:checkout's).
 */
const settings = {
  ...shopperSettings(),
  sql: option('sql', 'trivial'),
  dbPool: option('db-pool', '20'),
  floorNodeArgs: option('floor-node-args', '').split(/\s+/).filter(Boolean),
  profile: profileRequested(),
};
if (settings.sql !== 'trivial' && settings.sql !== 'none')
  throw new Error(`--sql must be trivial or none, got ${settings.sql}`);

const JWT_SECRET = newJwtSecret();
const WHAT_IT_DOES =
  'floor server: express 5 + express.json() + an HS256 JWT check per request, answers of the service’s size; ' +
  (settings.sql === 'none'
    ? 'no SQL; '
    : '13 trivial SQL round trips per checkout like the service (2 per cart add, session 2, shipping 2, payment 1, ' +
      'place 4; named prepared statements on a scratch table); ') +
  'place: 1 stripe-node PaymentIntent create with confirm, 1 BullMQ addBulk of 2 jobs';

runBenchmark(async (defer) => {
  const database = settings.sql === 'none' ? null : await createBenchDatabase();
  if (database) defer(`drop database ${database.name}`, () => database.drop());
  const queueName = uniqueQueueName('floor');
  defer(`obliterate queue ${queueName}`, () => obliterateQueue(queueName));

  const { child: stripe, url: stripeUrl } = await startStripeSandboxChild(defer);

  const floorPort = await freePort();
  const floorEnv = {
    NODE_ENV: 'production',
    PORT: String(floorPort),
    JWT_SECRET,
    STRIPE_API_URL: stripeUrl,
    REDIS_URL,
    FLOOR_QUEUE_NAME: queueName,
    FLOOR_SQL: settings.sql,
    DATABASE_POOL_MAX: settings.dbPool,
    ...(database ? { DATABASE_URL: database.url } : {}),
  };
  const floor = startChild('floor-server', 'bench/support/floor-server.ts', floorEnv, [
    ...settings.floorNodeArgs,
    ...(settings.profile ? PROFILE_NODE_ARGS : []),
  ]);
  defer('stop the floor server', () => floor.stop(10_000));
  const baseUrl = `http://127.0.0.1:${floorPort}`;
  await waitForHttp(floor, `${baseUrl}/healthz`);

  const http = createHttpClient(baseUrl, settings.concurrency + 4);
  defer('close the HTTP client', async () => http.close());

  console.log(
    `floor benchmark: ${settings.concurrency} shoppers, ${settings.warmupS} s warm-up + up to ${settings.durationS} s or ` +
      `${settings.maxCheckouts} checkouts; SQL: ${settings.sql}, DB pool: ${settings.dbPool}\n${WHAT_IT_DOES}`,
  );
  const cpuGroups: CpuGroups = {
    'floor-server': { pid: floor.process.pid!, descendants: true },
    ...(database ? { postgres: { commandLineIncludes: ` ${database.name} ` } } : {}),
    'stripe-sandbox': { pid: stripe.process.pid!, descendants: true },
    'load generator': { pid: process.pid, descendants: false },
  };
  const profile = await measuredProfile(settings.profile, {
    label: 'the floor server',
    unit: 'checkout',
    pid: () => floor.process.pid!,
    database,
  });
  const result = await runShoppers(http, {
    settings,
    cpuGroups,
    jwtSecret: JWT_SECRET,
    onMeasureStart: () => profile?.start(),
  });
  reportRun(result);
  await profile?.finish(result.cpu?.get('floor-server'), result.completed);
  await checkSideEffects(stripeUrl, queueName, result.completedTotal);
  if (result.completed === 0) throw new Error('no checkout completed');
});

/** Every placed checkout made one PaymentIntent and enqueued two jobs: the floor skipped none of its work. */
async function checkSideEffects(stripeUrl: string, queueName: string, placed: number): Promise<void> {
  const stats = (await (await fetch(`${stripeUrl}/_sandbox/stats`)).json()) as { paymentIntentsCreated: number };
  const queue = new Queue(queueName, { connection: { url: REDIS_URL } });
  const jobs = await queue.getWaitingCount().finally(() => queue.close());
  console.log(`\nside effects: ${placed} placed, ${stats.paymentIntentsCreated} PaymentIntents, ${jobs} queued jobs`);
  if (stats.paymentIntentsCreated !== placed || jobs !== 2 * placed) {
    throw new Error('side-effect check failed: expected one PaymentIntent and two jobs per placed checkout');
  }
}
