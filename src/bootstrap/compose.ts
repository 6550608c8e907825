import type { Config } from '../config';
import type { Knex } from 'knex';
import type { Logger } from '../logger';
import type { PaymentGateway } from '../payments/payment-gateway';
import type { PlacementAdapter } from '../placement/placement-adapter';
import type { PlacementHandlers, PlacementQueue, PlacementQueueControl } from '../queue/placement-queue';
import { createServices, type Services } from '../services/create-services';
import { chaosCrashpoint } from './chaos';
import { eventSettingsFrom, type EventChannel } from './event-delivery';

/** What a process has opened before its services exist: the database, payments, adapters and queues. */
export interface ProcessInfrastructure {
  db: Knex;
  payments: PaymentGateway;
  logger: Logger;
  adapters: readonly PlacementAdapter[];
  placementQueue: Pick<PlacementQueue, 'enqueue'>;
  events: Pick<EventChannel, 'queue' | 'mailer'>;
  /** The queue's breakers and a resumed store's release, for the API's store health and levers. */
  queueControl?: PlacementQueueControl;
  /** Verifies Stripe's webhooks (the API only). */
  stripeWebhookSecret?: string;
}

/**
 * The one composition root of both processes: `npm start` (src/server.ts) and `npm run worker` (src/worker.ts)
 * build their services here, from the same configuration, so they agree on capture policy, leases and events.
 */
export function composeServices(config: Config, infra: ProcessInfrastructure): Services {
  return createServices({
    db: infra.db,
    payments: infra.payments,
    logger: infra.logger,
    crashpoint: chaosCrashpoint(config.CHAOS_CRASH_AT),
    settings: {
      sessionTtlMs: config.CHECKOUT_SESSION_TTL_MINUTES * 60_000,
      placeLeaseMs: config.PLACE_LEASE_SECONDS * 1000,
      // The worker settles checkouts too, and under after_placement a settled checkout is captured right away.
      capturePolicy: config.CAPTURE_POLICY,
    },
    placement: {
      adapters: infra.adapters,
      enqueue: (jobs) => infra.placementQueue.enqueue(jobs),
      stripeWebhookSecret: infra.stripeWebhookSecret,
      catalogSync: { intervalMs: Math.max(1, config.CATALOG_SYNC_INTERVAL_MINUTES) * 60_000 },
      queueControl: infra.queueControl,
      events: {
        enqueue: (jobs) => infra.events.queue.enqueue(jobs),
        mailer: infra.events.mailer,
        settings: eventSettingsFrom(config),
      },
    },
  });
}

/** What a placement queue's consumer calls: the placement use case and the stores' levers. */
export const placementHandlers = (services: Services): PlacementHandlers => ({
  handler: (job, attempt) => services.placement.place(job, attempt),
  onExhausted: (job, error) => services.placement.exhausted(job, error),
  isStorePaused: (storeId) => services.storeLevers.isPaused(storeId),
  storeSlotLimit: (storeId) => services.storeLevers.slotLimit(storeId),
});
