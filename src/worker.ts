import { openDatabase, openPayments } from './bootstrap/infrastructure';
import { startMaintenance } from './bootstrap/maintenance';
import { startStatusSync } from './bootstrap/status-sync-loop';
import { openEventQueue, startEventDispatcher } from './bootstrap/event-delivery';
import { browserPagesFor, createPlacementAdapters } from './bootstrap/placement-adapters';
import { composeServices, placementHandlers } from './bootstrap/compose';
import { loadConfig } from './config';
import { logProcessFailures, onShutdownSignal, runMain } from './bootstrap/process-lifecycle';
import { createLogger } from './logger';
import { createBullmqPlacementQueue } from './queue/bullmq-placement-queue';
import { startPlacementFleet } from './queue/placement-fleet';
import { methodsArgument, parseMethodList } from './queue/placement-methods';
import { placementMethodsOf } from './repositories/placement-routes-repository';

/**
 * `npm run worker`: a placement worker process. Run as many as you like, on as many machines: BullMQ hands
 * each store order to one of them, and per-store limits and circuit breakers are shared through Redis.
 * `npm run worker -- --methods headless` (or PLACEMENT_METHODS) takes only those methods' queues, so a browser
 * fleet runs on machines of its own; its page count follows the machine's memory (BROWSER_PAGES_PER_GIB).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL).child({ process: 'placement-worker' });
  logProcessFailures(logger);
  if (!config.REDIS_URL) {
    console.error(
      'REDIS_URL is not set. Without Redis, `npm start` places orders in its own process; workers need the queue.',
    );
    process.exit(2);
  }
  if (!config.DATABASE_URL) {
    console.error(
      "DATABASE_URL is not set. Workers share the API's database; the embedded one serves a single process.",
    );
    process.exit(2);
  }
  const methods = parseMethodList(methodsArgument(process.argv.slice(2)) ?? config.PLACEMENT_METHODS);
  const browser = browserPagesFor(config);
  const database = await openDatabase(config, logger);
  const payments = await openPayments(config, logger);
  const placement = createPlacementAdapters(config, database.db, { maxPages: browser.pages, logger });
  const methodsOf = (orderNumbers: string[]) => placementMethodsOf(database.db, orderNumbers);
  const queue = createBullmqPlacementQueue({
    redisUrl: config.REDIS_URL,
    queueName: config.PLACEMENT_QUEUE_NAME,
    dedupeWindowMs: config.PLACEMENT_DEDUPE_HOURS * 3_600_000,
    logger,
    methodsOf,
  });
  // The worker also sends the outbound events: webhooks to the shopping app, mails to the shopper.
  const events = openEventQueue(config, logger, { consume: true });
  const services = composeServices(config, {
    db: database.db,
    payments: payments.gateway,
    logger,
    adapters: placement.adapters,
    placementQueue: queue,
    events,
  });
  events.start(services);
  const worker = await startPlacementFleet({
    redisUrl: config.REDIS_URL,
    queueName: config.PLACEMENT_QUEUE_NAME,
    methods,
    producer: queue,
    // A headless job holds a page for its whole run: more jobs than pages would only wait inside this process.
    concurrencyOf: { api: config.WORKER_CONCURRENCY, manual: config.WORKER_CONCURRENCY, headless: browser.pages },
    ...placementHandlers(services),
    storeConcurrency: config.WORKER_STORE_CONCURRENCY,
    lockDurationMs: config.WORKER_LOCK_MS,
    stalledIntervalMs: config.WORKER_STALLED_CHECK_MS,
    heartbeatMs: config.WORKER_HEARTBEAT_MS,
    logger,
  });
  const maintenance = startMaintenance(services, logger);
  const statusSync = startStatusSync(services, logger);
  const dispatcher = startEventDispatcher(services, logger);
  logger.info(
    { queue: config.PLACEMENT_QUEUE_NAME, methods, browserPages: methods.includes('headless') ? browser : undefined },
    'placement worker running',
  );

  onShutdownSignal(logger, async () => {
    await worker.close();
    await maintenance.stop();
    await statusSync.stop();
    await dispatcher.stop();
    await Promise.allSettled([queue.close(), events.close(), placement.close(), payments.close()]);
    await database.close();
  });
}

runMain(main);
