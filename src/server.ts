import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { createApp } from './app';
import { openDatabase, openPayments } from './bootstrap/infrastructure';
import { startDemoEnvironment, type DemoEnvironment } from './bootstrap/demo-environment';
import { isLeadApiInstance, shouldSuperviseApiProcesses, superviseApiProcesses } from './bootstrap/api-cluster';
import { startMaintenance } from './bootstrap/maintenance';
import { startCatalogSyncSchedule } from './bootstrap/catalog-sync-schedule';
import { startStatusSync } from './bootstrap/status-sync-loop';
import { eventSettingsFrom, openEventQueue, startEventDispatcher } from './bootstrap/event-delivery';
import { createPlacementAdapters } from './bootstrap/placement-adapters';
import { chaosCrashpoint } from './bootstrap/chaos';
import { embeddedWebhookSecret, registerEmbeddedWebhookEndpoint } from './bootstrap/embedded-stripe-webhooks';
import { loadConfig } from './config';
import { logProcessFailures, onShutdownSignal, runMain } from './bootstrap/process-lifecycle';
import { createLogger } from './logger';
import { createBullmqPlacementQueue } from './queue/bullmq-placement-queue';
import { createInProcessPlacementQueue } from './queue/in-process-placement-queue';
import { createBullmqQueueControl } from './queue/bullmq-queue-control';
import type { PlacementQueue } from './queue/placement-queue';
import type { Services } from './services/create-services';

/**
 * `npm start`: the API. With REDIS_URL, paid orders go onto the BullMQ queue for `npm run worker`; without it
 * they are placed in this process. With no DATABASE_URL it runs on the embedded database with demo retailers.
 * WEB_CONCURRENCY > 1 runs that many API processes on the same port, supervised by this one.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  logProcessFailures(logger);
  for (const warning of config.warnings) logger.warn({ configuration: true }, warning);
  if (shouldSuperviseApiProcesses(config.WEB_CONCURRENCY)) return superviseApiProcesses(config.WEB_CONCURRENCY, logger);
  const database = await openDatabase(config, logger);
  const payments = await openPayments(config, logger);
  const inProcessSandbox = config.STRIPE_SECRET_KEY ? null : payments.sandboxUrl;
  const stripeWebhookSecret = embeddedWebhookSecret(inProcessSandbox, config.STRIPE_WEBHOOK_SECRET);
  const placement = createPlacementAdapters(config, database.db, { maxPages: config.BROWSER_MAX_PAGES, logger });

  let services: Services | undefined;
  const redis = config.REDIS_URL ? new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3, lazyConnect: false }) : null;
  redis?.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  const inProcess = config.REDIS_URL
    ? null
    : createInProcessPlacementQueue({
        handler: (job, attempt) => services!.placement.place(job, attempt),
        onExhausted: (job, error) => services!.placement.exhausted(job, error),
        isStorePaused: (storeId) => services!.storeLevers.isPaused(storeId),
        storeSlotLimit: (storeId) => services!.storeLevers.slotLimit(storeId),
        concurrency: config.WORKER_CONCURRENCY,
        storeConcurrency: config.WORKER_STORE_CONCURRENCY,
        logger,
      });
  const queue: PlacementQueue = inProcess ?? createBullmqPlacementQueue({ redisUrl: config.REDIS_URL!, queueName: config.PLACEMENT_QUEUE_NAME, logger });
  // The API's view of the workers' queue: breakers for store health, a resume's release, Bull Board.
  const bullmqControl = config.REDIS_URL ? createBullmqQueueControl({ redisUrl: config.REDIS_URL, queueName: config.PLACEMENT_QUEUE_NAME, logger }) : null;

  // Without Redis the events are sent from this process; with it, by `npm run worker`.
  const events = openEventQueue(config, () => services!, logger, { consume: false });

  const app = createApp({
    db: database.db,
    payments: payments.gateway,
    jwtSecret: config.jwtSecret,
    logger,
    settings: {
      sessionTtlMs: config.CHECKOUT_SESSION_TTL_MINUTES * 60_000,
      placeLeaseMs: config.PLACE_LEASE_SECONDS * 1000,
      capturePolicy: config.CAPTURE_POLICY,
    },
    placement: {
      adapters: placement.adapters,
      enqueue: (runs) => queue.enqueue(runs),
      stripeWebhookSecret,
      catalogSync: { intervalMs: Math.max(1, config.CATALOG_SYNC_INTERVAL_MINUTES) * 60_000 },
      queueControl: inProcess ?? bullmqControl ?? undefined,
      events: { enqueue: (jobs) => events.queue.enqueue(jobs), mailer: events.mailer, settings: eventSettingsFrom(config) },
    },
    artifactsDir: config.ARTIFACTS_DIR,
    boardQueues: bullmqControl ? [bullmqControl.queue] : [],
    readinessChecks: redis ? { redis: () => redis.ping() } : {},
    crashpoint: chaosCrashpoint(config.CHAOS_CRASH_AT),
    http: config.http,
    // Rate limits count in Redis when there is one, so they hold across API processes.
    rateLimitRedis: redis ?? undefined,
  });
  services = app.services;

  let demo: DemoEnvironment | null = null;
  if (database.embedded) {
    demo = await startDemoEnvironment(services, config.jwtSecret, logger);
    logger.info({ tokens: demo.tokens }, 'demo bearer tokens (development only): shopper, ops, admin');
  }
  const maintenance = isLeadApiInstance() ? startMaintenance(services, logger) : null;
  const catalogSyncs = isLeadApiInstance() && config.CATALOG_SYNC_INTERVAL_MINUTES > 0 ? startCatalogSyncSchedule(services.catalogSync, logger) : null;
  const statusSync = isLeadApiInstance() ? startStatusSync(services, logger) : null;
  const dispatcher = isLeadApiInstance() ? startEventDispatcher(services, logger) : null;
  // The in-process queue forgot the jobs of the previous run; BullMQ keeps its own.
  if (!config.REDIS_URL) await services.placement.resumeInterruptedPlacements();

  const server = app.app.listen(config.PORT, config.HOST, () => {
    logger.info({ port: config.PORT, embeddedDatabase: database.embedded, inProcessPlacement: !config.REDIS_URL }, 'checkout service listening');
    if (inProcessSandbox && !config.STRIPE_WEBHOOK_SECRET) {
      registerEmbeddedWebhookEndpoint(inProcessSandbox, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stripeWebhookSecret!, logger).catch((err: unknown) =>
        logger.warn({ err }, 'the in-process Stripe sandbox will not send events'),
      );
    }
  });

  onShutdownSignal(logger, async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await maintenance?.stop();
    await catalogSyncs?.stop();
    await statusSync?.stop();
    await dispatcher?.stop();
    await queue.close();
    await events.close();
    await Promise.allSettled([bullmqControl?.close(), placement.close(), demo?.stop(), payments.close(), redis?.quit()]);
    await database.close();
  });
}

runMain(main);
