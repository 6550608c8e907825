import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { createApp } from './app';
import { openDatabase, openPayments } from './bootstrap/infrastructure';
import { startDemoEnvironment, type DemoEnvironment } from './bootstrap/demo-environment';
import { isLeadApiInstance, shouldSuperviseApiProcesses, superviseApiProcesses } from './bootstrap/api-cluster';
import { startMaintenance } from './bootstrap/maintenance';
import { startCatalogSyncSchedule } from './bootstrap/catalog-sync-schedule';
import { startStatusSync } from './bootstrap/status-sync-loop';
import { openEventQueue, startEventDispatcher } from './bootstrap/event-delivery';
import { browserPagesFor, createPlacementAdapters } from './bootstrap/placement-adapters';
import { composeServices, placementHandlers } from './bootstrap/compose';
import { embeddedWebhookSecret, registerEmbeddedWebhookEndpoint } from './bootstrap/embedded-stripe-webhooks';
import { loadConfig } from './config';
import { logProcessFailures, onShutdownSignal, runMain } from './bootstrap/process-lifecycle';
import { createLogger } from './logger';
import { createBullmqPlacementQueue } from './queue/bullmq-placement-queue';
import { createInProcessPlacementQueue } from './queue/in-process-placement-queue';
import { createBullmqQueueControl } from './queue/bullmq-queue-control';
import type { PlacementQueue } from './queue/placement-queue';
import { placementMethodsOf } from './repositories/placement-routes-repository';

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
  const placement = createPlacementAdapters(config, database.db, { maxPages: browserPagesFor(config).pages, logger });

  const redis = config.REDIS_URL ? new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3, lazyConnect: false }) : null;
  redis?.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  // Without Redis, orders are placed in this process: its queue starts consuming once the services exist.
  const inProcess = config.REDIS_URL
    ? null
    : createInProcessPlacementQueue({
        concurrency: config.WORKER_CONCURRENCY,
        storeConcurrency: config.WORKER_STORE_CONCURRENCY,
        logger,
      });
  const queue: PlacementQueue =
    inProcess ??
    createBullmqPlacementQueue({
      redisUrl: config.REDIS_URL!,
      queueName: config.PLACEMENT_QUEUE_NAME,
      dedupeWindowMs: config.PLACEMENT_DEDUPE_HOURS * 3_600_000,
      logger,
      methodsOf: (orderNumbers) => placementMethodsOf(database.db, orderNumbers),
    });
  // The API's view of the workers' queue: breakers for store health, a resume's release, Bull Board.
  const bullmqControl = config.REDIS_URL
    ? createBullmqQueueControl({ redisUrl: config.REDIS_URL, queueName: config.PLACEMENT_QUEUE_NAME, logger })
    : null;
  // Without Redis the events are sent from this process; with it, by `npm run worker`.
  const events = openEventQueue(config, logger, { consume: false });

  const services = composeServices(config, {
    db: database.db,
    payments: payments.gateway,
    logger,
    adapters: placement.adapters,
    placementQueue: queue,
    events,
    queueControl: inProcess ?? bullmqControl ?? undefined,
    stripeWebhookSecret,
  });
  inProcess?.start(placementHandlers(services));
  events.start(services);
  const app = createApp(services, {
    jwtSecret: config.jwtSecret,
    artifactsDir: config.ARTIFACTS_DIR,
    boardQueues: bullmqControl?.queues ?? [],
    readinessChecks: redis ? { redis: () => redis.ping() } : {},
    http: config.http,
    // Rate limits count in Redis when there is one, so they hold across API processes.
    rateLimitRedis: redis ?? undefined,
  });

  let demo: DemoEnvironment | null = null;
  if (database.embedded) {
    demo = await startDemoEnvironment(services, config.jwtSecret, logger);
    logger.info({ tokens: demo.tokens }, 'demo bearer tokens (development only): shopper, ops, admin');
  }
  const maintenance = isLeadApiInstance() ? startMaintenance(services, logger) : null;
  const catalogSyncs =
    isLeadApiInstance() && config.CATALOG_SYNC_INTERVAL_MINUTES > 0
      ? startCatalogSyncSchedule(services.catalogSync, logger)
      : null;
  const statusSync = isLeadApiInstance() ? startStatusSync(services, logger) : null;
  const dispatcher = isLeadApiInstance() ? startEventDispatcher(services, logger) : null;
  // The in-process queue forgot the jobs of the previous run; BullMQ keeps its own.
  if (!config.REDIS_URL) await services.placement.resumeInterruptedPlacements();

  const server = app.app.listen(config.PORT, config.HOST, () => {
    logger.info(
      { port: config.PORT, embeddedDatabase: database.embedded, inProcessPlacement: !config.REDIS_URL },
      'checkout service listening',
    );
    if (inProcessSandbox && !config.STRIPE_WEBHOOK_SECRET) {
      registerEmbeddedWebhookEndpoint(
        inProcessSandbox,
        `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        stripeWebhookSecret!,
        logger,
      ).catch((err: unknown) => logger.warn({ err }, 'the in-process Stripe sandbox will not send events'));
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
    await Promise.allSettled([
      bullmqControl?.close(),
      placement.close(),
      demo?.stop(),
      payments.close(),
      redis?.quit(),
    ]);
    await database.close();
  });
}

runMain(main);
