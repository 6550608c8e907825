import type { Knex } from 'knex';
import { systemClock } from '../domain/clock';
import { silentLogger } from '../logger';
import type { Clock } from '../domain/clock';
import type { Logger } from '../logger';
import type { PaymentGateway } from '../payments/payment-gateway';
import type { AfterMove } from './order-state-machine';

/** What every use case may depend on. Built once by the composition root (src/app.ts). */
export interface ServiceDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
  payments: PaymentGateway;
  settings: ServiceSettings;
  /**
   * Named points between two steps of a saga. Production passes a no-op; the chaos harness kills the
   * process at a chosen point to prove every step can be resumed.
   */
  crashpoint: (name: CrashpointName) => void;
  /**
   * What follows every order move (settle the checkout, send the refund it owes), run by `transitionOrder` after
   * the commit. Wired once by `createServices` (src/services/order-moves.ts); absent in the deps of the few
   * services the hooks are built from, whose moves (if any) run on a caller's transaction.
   */
  afterMove?: AfterMove;
}

/**
 * When the shopper's money is taken. `at_place` charges the whole checkout when it is placed (orders that cannot be
 * placed are refunded); `after_placement` only authorizes it then, and captures what was placed once every order is
 * settled (or at the authorization's deadline), so orders that fail cost no refund.
 */
export type CapturePolicy = 'at_place' | 'after_placement';

export interface ServiceSettings {
  sessionTtlMs: number;
  /** How long a place may hold a session before recovery may take it over. */
  placeLeaseMs: number;
  capturePolicy: CapturePolicy;
  /** How often the status sync asks a retailer that sends no webhooks about a placed order. */
  statusPoll: StatusPollSchedule;
}

export interface StatusPollSchedule {
  /** The wait after a poll that saw a change (and the first step of the backoff). */
  firstMs: number;
  /** The longest wait between two polls of one order. */
  maxMs: number;
}

export type CrashpointName =
  | 'place.before_charge'
  | 'place.after_charge'
  | 'place.after_orders'
  | 'placement.before_adapter'
  | 'placement.after_adapter'
  /** After an order's move to placed, failed or cancelled committed (and its owed refund was sent), before its checkout is settled. */
  | 'placement.before_settle';

export const noCrashpoints = (): void => {};

const DEFAULT_SETTINGS: ServiceSettings = {
  sessionTtlMs: 30 * 60_000,
  placeLeaseMs: 30_000,
  capturePolicy: 'at_place',
  statusPoll: { firstMs: 60_000, maxMs: 60 * 60_000 },
};

/** Fills in the defaults: system clock, silent logs, no crashpoints, 30-minute sessions, charged at place. */
export function buildServiceDeps(
  deps: Pick<ServiceDeps, 'db' | 'payments'> &
    Partial<Omit<ServiceDeps, 'settings'>> & { settings?: Partial<ServiceSettings> },
): ServiceDeps {
  return {
    db: deps.db,
    payments: deps.payments,
    clock: deps.clock ?? systemClock,
    logger: deps.logger ?? silentLogger,
    crashpoint: deps.crashpoint ?? noCrashpoints,
    settings: { ...DEFAULT_SETTINGS, ...deps.settings },
  };
}
