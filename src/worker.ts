import { openDatabase, openPayments } from './bootstrap/infrastructure';
import { startMaintenance } from './bootstrap/maintenance';
import { startStatusSync } from './bootstrap/status-sync-loop';
import { eventSettingsFrom, openEventQueue, startEventDispatcher } from './bootstrap/event-delivery';
import { createPlacementAdapters } from './bootstrap/placement-adapters';
import { chaosCrashpoint } from './bootstrap/chaos';
import { loadConfig } from './config';
import { logProcessFailures, onShutdownSignal, runMain } from './bootstrap/process-lifecycle';
import { createLogger } from './logger';
import { createBullmqPlacementQueue } from './queue/bullmq-placement-queue';
import { startBullmqPlacementWorker } from './queue/bullmq-placement-worker';
import { createServices } from './services/create-services';
import { buildServiceDeps } from './services/service-deps';

/**
 * `npm run worker`: a placement worker process. Run as many as you like, on as many machines: BullMQ hands
 * each store order to one of them, and per-store limits and circuit breakers are shared through Redis.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL).child({ process: 'placement-worker' });
  logProcessFailures(logger);
  if (!config.REDIS_URL) {
    console.error('REDIS_URL is not set. Without Redis, `npm start` places orders in its own process; workers need the queue.');
    process.exit(2);
  }
  if (!config.DATABASE_URL) {
    console.error('DATABASE_URL is not set. Workers share the API\'s database; the embedded one serves a single process.');
    process.exit(2);
  }
  const database = await openDatabase(config, logger);
  const payments = await openPayments(config, logger);
  const placement = createPlacementAdapters(config, database.db, { maxPages: config.BROWSER_MAX_PAGES, logger });
  const queue = createBullmqPlacementQueue({ redisUrl: config.REDIS_URL, queueName: config.PLACEMENT_QUEUE_NAME, logger });
  // The worker also sends the outbound events: webhooks to the shopping app, mails to the shopper.
  let built: ReturnType<typeof createServices> | undefined;
  const events = openEventQueue(config, () => built!, logger, { consume: true });
  const services = createServices(
    buildServiceDeps({
      db: database.db,
      payments: payments.gateway,
      logger,
      crashpoint: chaosCrashpoint(config.CHAOS_CRASH_AT),
      // The worker settles checkouts, and under after_placement a settled checkout is captured right away.
      settings: { placeLeaseMs: config.PLACE_LEASE_SECONDS * 1000, capturePolicy: config.CAPTURE_POLICY },
    }),
    {
      adapters: placement.adapters,
      enqueue: (runs) => queue.enqueue(runs),
      events: { enqueue: (jobs) => events.queue.enqueue(jobs), mailer: events.mailer, settings: eventSettingsFrom(config) },
    },
  );
  built = services;
  const worker = await startBullmqPlacementWorker({
    redisUrl: config.REDIS_URL,
    queueName: config.PLACEMENT_QUEUE_NAME,
    handler: (job, attempt) => services.placement.place(job, attempt),
    onExhausted: (job, error) => services.placement.exhausted(job, error),
    isStorePaused: (storeId) => services.storeLevers.isPaused(storeId),
    storeSlotLimit: (storeId) => services.storeLevers.slotLimit(storeId),
    concurrency: config.WORKER_CONCURRENCY,
    storeConcurrency: config.WORKER_STORE_CONCURRENCY,
    lockDurationMs: config.WORKER_LOCK_MS,
    stalledIntervalMs: config.WORKER_STALLED_CHECK_MS,
    heartbeatMs: config.WORKER_HEARTBEAT_MS,
    logger,
  });
  const maintenance = startMaintenance(services, logger);
  const statusSync = startStatusSync(services, logger);
  const dispatcher = startEventDispatcher(services, logger);
  logger.info({ queue: config.PLACEMENT_QUEUE_NAME }, 'placement worker running');

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
