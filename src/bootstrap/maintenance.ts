import { repeating } from './repeating';
import type { Logger } from '../logger';
import type { Services } from '../services/create-services';

export interface MaintenanceTimings {
  /** The full pass: resumes that call Stripe or the retailers, or wait out long thresholds. */
  intervalMs?: number;
  /** The settle sweep alone: one cheap query, so a checkout whose settle a crash lost is settled within seconds. */
  settleEveryMs?: number;
}

/**
 * The resume half of every saga, on a timer: places whose process died mid-way, payments a shopper completed
 * (3-D Secure) but never placed, orders whose enqueue or run was lost, authorizations due for capture, refunds left
 * pending, checkouts left unsettled; and once a day, reconciliation with Stripe. Each step is idempotent and safe to
 * run on every instance at once.
 */
export function startMaintenance(
  services: Services,
  logger: Logger,
  timings: MaintenanceTimings = {},
): { stop(): Promise<void> } {
  const { intervalMs = 15_000, settleEveryMs = 2_000 } = timings;
  const full = repeating(intervalMs, async () => {
    try {
      const recovered = await services.placeCheckout.recoverStalePlacements();
      const abandoned = await services.placeCheckout.recoverAbandonedPayments();
      const swept = await services.placement.sweepPendingOrders();
      const stalled = await services.placement.resumeStalledOrders();
      // Before the refunds: a refund waits for the capture it returns money from.
      const captured = await services.captures.captureDue();
      const refunds = await services.refunds.resumePendingRefunds();
      // After the abandoned payments: an expired session whose payment was just cancelled gives its code's use back.
      const promoUses = await services.promotions.releaseUnpayableHolds();
      if (recovered + abandoned + swept + stalled + captured + refunds + promoUses > 0) {
        logger.info(
          { recovered, abandoned, swept, stalled, captured, refunds, promoUses },
          'maintenance resumed interrupted work',
        );
      }
      // Once a day (claimed across instances): yesterday's Stripe payments and refunds against the ledger. Reports only.
      await services.reconciliation.runDailyIfDue();
    } catch (error) {
      logger.error({ err: error }, 'maintenance pass failed; will try again');
    }
  });
  const settle = repeating(settleEveryMs, async () => {
    try {
      const settled = await services.settlement.settleOverdueCheckouts();
      if (settled > 0) logger.info({ settled }, 'settled checkouts whose settle was lost');
    } catch (error) {
      logger.error({ err: error }, 'settle sweep failed; will try again');
    }
  });
  return {
    async stop() {
      await Promise.all([full.stop(), settle.stop()]);
    },
  };
}
